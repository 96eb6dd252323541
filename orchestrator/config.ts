import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ConfigError } from "./errors";

/**
 * All configuration the orchestrator reads from the environment and flags, validated in one
 * place. Secrets never reach output: the sink names host and database only (sink/connect.ts).
 */
const schema = z.object({
  projectDir: z.string(),
  home: z.string(),
  warehouse: z.enum(["duckdb", "bigquery"]),
  databaseUrl: z.string().optional(),
  bigquery: z.object({
    projectId: z.string().optional(),
    location: z.string().optional(),
    apiEndpoint: z.string().optional(),
  }),
});

export type Config = z.infer<typeof schema>;

export interface ConfigFlags {
  home?: string;
  warehouse?: string;
  projectDir?: string;
}

export function loadConfig(flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = process.env): Config {
  const projectDir = path.resolve(flags.projectDir ?? env.VWATCH_PROJECT_DIR ?? path.join(__dirname, ".."));
  const result = schema.safeParse({
    projectDir,
    home: path.resolve(flags.home ?? env.VWATCH_HOME ?? path.join(process.cwd(), ".vwatch")),
    warehouse: flags.warehouse ?? env.VWATCH_WAREHOUSE ?? "duckdb",
    databaseUrl: env.DATABASE_URL || undefined,
    bigquery: {
      projectId: env.VWATCH_BIGQUERY_PROJECT || env.GOOGLE_CLOUD_PROJECT || undefined,
      location: env.VWATCH_BIGQUERY_LOCATION || undefined,
      apiEndpoint: env.BIGQUERY_EMULATOR_HOST || undefined,
    },
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue.path.join(".")}: ${issue.message}`);
  }
  checkFolders(result.data);
  return result.data;
}

/** The project must be a Dataform project; the home, when it exists, a folder (it is created on first use). */
function checkFolders(config: Config): void {
  const { home, projectDir } = config;
  if (fs.existsSync(home) && !fs.statSync(home).isDirectory()) throw new ConfigError(`the home folder ${home} is a file, not a folder (--home or VWATCH_HOME)`);
  if (!fs.existsSync(projectDir)) throw new ConfigError(`the project folder ${projectDir} does not exist (--project-dir or VWATCH_PROJECT_DIR)`);
  if (!fs.existsSync(path.join(projectDir, "workflow_settings.yaml"))) {
    throw new ConfigError(`${projectDir} is not a Dataform project: it has no workflow_settings.yaml (--project-dir or VWATCH_PROJECT_DIR)`);
  }
}
