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
  return result.data;
}
