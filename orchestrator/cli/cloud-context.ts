/**
 * What every `vwatch cloud …` command starts from: vwatch.yaml (the project, region and
 * repository), and the Dataform v1 client, created before anything else so that missing
 * credentials are said at once. Heavy modules load here, only when a cloud command runs.
 */
import type { Config } from "../config";
import type { DataformApi } from "../cloud/dataform-api";
import type { DeploySettings } from "../cloud/settings";
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
