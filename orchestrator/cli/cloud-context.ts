/**
 * What every `vwatch cloud …` command starts from: vwatch.yaml (the project, region and
 * repository), and the Dataform v1 client, created before anything else so that missing
 * credentials are said at once. Heavy modules load here, only when a cloud command runs.
 */
import type { Config } from "../config";
import type { DataformApi } from "../cloud/dataform-api";
import type { DeploySettings } from "../cloud/settings";
import { ConfigError } from "../errors";
import type { Cli } from "./context";

export interface CloudContext {
  config: Config;
  settings: DeploySettings;
  api: DataformApi;
  /** projects/P/locations/L/repositories/R */
  repository: string;
}

/** Runs fn with the cloud context; the client is closed once fn is done. */
export async function withCloud<T>(cli: Cli, settingsFile: string | undefined, fn: (c: CloudContext) => Promise<T>, before?: (settings: DeploySettings, config: Config) => void): Promise<T> {
  const config = await cli.config();
  const { loadDeploySettings } = await import("../cloud/settings");
  const settings = loadDeploySettings(config.projectDir, settingsFile);
  // Checks of the input that need no client (vars, flags) come first: a bad flag loads nothing heavy.
  before?.(settings, config);
  const [{ createDataformClient }, { DataformApi }, { repositoryRef }, { repositoryName }] = await Promise.all([import("../cloud/client"), import("../cloud/dataform-api"), import("../cloud/desired"), import("../cloud/names")]);
  const api = new DataformApi(await createDataformClient(), { project: settings.production.project });
  try {
    return await fn({ config, settings, api, repository: repositoryName(repositoryRef(settings.production)) });
  } finally {
    await api.close();
  }
}

/**
 * How often `cloud run` and `cloud status --wait` poll: from 2 s, growing to 30 s while nothing
 * changes. VWATCH_CLOUD_POLL_MS sets the first interval in milliseconds (the cap is 15 times
 * it), for tests and CI jobs that want quicker or gentler polling.
 */
export function pollDelays(env: NodeJS.ProcessEnv = process.env): { initialDelayMs: number; maxDelayMs: number } {
  const raw = env.VWATCH_CLOUD_POLL_MS?.trim();
  if (!raw) return { initialDelayMs: 2000, maxDelayMs: 30_000 };
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < 1) throw new ConfigError(`VWATCH_CLOUD_POLL_MS must be a whole number of milliseconds (1 or more), got "${raw}"`);
  return { initialDelayMs: Number(raw), maxDelayMs: Number(raw) * 15 };
}
