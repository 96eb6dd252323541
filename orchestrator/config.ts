import * as fs from "fs";
import * as path from "path";
import { z } from "zod";
import { ConfigError } from "./errors";

/**
 * All configuration the orchestrator reads from the environment and flags, validated in one
 * place. Secrets never reach output: the sink names host and database only (postgres/connect.ts).
 */
const schema = z.object({
  projectDir: z.string(),
  home: z.string(),
  warehouse: z.enum(["duckdb", "bigquery"]),
  databaseUrl: z.string().optional(),
  postgres: z.object({
    idleSeconds: z.number().positive(),
    statementSeconds: z.number().positive(),
    lockSeconds: z.number().positive(),
    clientSeconds: z.number().positive(),
  }),
  bigquery: z.object({
    projectId: z.string().optional(),
    location: z.string().optional(),
    apiEndpoint: z.string().optional(),
  }),
  /**
   * Overrides of workflow_settings.yaml's defaults (defaultDatabase, defaultSchema, …) every graph of
   * the session compiles with: what a release config of the Dataform service sets, so that a step
   * after a service run (the write-back) reads the tables the service built. Unset locally.
   */
  projectOverrides: z.record(z.string(), z.string()).optional(),
  /** Whether runs keep assertions' failing rows (`VWATCH_STORE_FAILURES`, default true; `--no-store-failures` turns it off for one run). */
  storeFailures: z.boolean().optional(),
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
    databaseUrl: env.DATABASE_URL ? checkDatabaseUrl(env.DATABASE_URL) : undefined,
    postgres: postgresLimits(env),
    storeFailures: storeFailures(env.VWATCH_STORE_FAILURES),
    bigquery: {
      projectId: env.VWATCH_BIGQUERY_PROJECT || env.GOOGLE_CLOUD_PROJECT || undefined,
      location: env.VWATCH_BIGQUERY_LOCATION || undefined,
      apiEndpoint: env.BIGQUERY_EMULATOR_HOST || undefined,
    },
  });
  if (!result.success) {
    const issue = result.error.issues[0];
    if (issue.path[0] === "warehouse") {
      const given = flags.warehouse !== undefined ? "--warehouse" : "VWATCH_WAREHOUSE";
      throw new ConfigError(`${given} must be duckdb or bigquery, got "${flags.warehouse ?? env.VWATCH_WAREHOUSE}"`);
    }
    throw new ConfigError(`invalid configuration: ${issue.path.join(".")}: ${issue.message}`);
  }
  checkFolders(result.data);
  return result.data;
}

/** VWATCH_STORE_FAILURES: true/false (also 1/0, yes/no); unset means the default (true). */
function storeFailures(value: string | undefined): boolean | undefined {
  if (value === undefined || value === "") return undefined;
  const v = value.trim().toLowerCase();
  if (["true", "1", "yes"].includes(v)) return true;
  if (["false", "0", "no"].includes(v)) return false;
  throw new ConfigError(`VWATCH_STORE_FAILURES must be true or false, got "${value}"`);
}

/**
 * A PostgreSQL URL, refused with one line (its password masked) when pg could not use it as meant:
 * another scheme (pg would treat mysql://… as PostgreSQL) or a URL that does not parse.
 */
export function checkDatabaseUrl(url: string): string {
  const masked = maskUrlPassword(url);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== "postgres" && scheme !== "postgresql") {
    throw new ConfigError(
      `DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:port/database), got ${scheme ? `a ${scheme}:// URL` : "something else"} (${masked})`,
    );
  }
  const port = /^[^:]+:\/\/(?:[^@/]*@)?(?:\[[^\]]*\]|[^:/?#@]*):([^/?#@]*)(?:[/?#]|$)/.exec(url)?.[1];
  if (port !== undefined && port !== "" && !/^\d{1,5}$/.test(port)) {
    throw new ConfigError(`DATABASE_URL is not a valid PostgreSQL URL (${masked}): the port "${port}" is not a number`);
  }
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`DATABASE_URL is not a valid PostgreSQL URL (${masked}): expected postgres://user:password@host:port/database, with special characters in the password percent-encoded`);
  }
  return url;
}

/** The URL with the password (from "user:" to the last "@") replaced by ***; better too much than a leak. */
export function maskUrlPassword(url: string): string {
  return url.replace(/^([^:]+:\/\/[^:@/]*:)(.*)@/, "$1***@");
}

/**
 * Bounds on every PostgreSQL session vwatch opens, in seconds (VWATCH_PG_* variables): the server
 * ends a session idle inside a transaction (a stopped or cut-off vwatch holding locks) and cancels
 * long statements and lock waits; the client gives up on a server that does not answer.
 */
export const DEFAULT_PG_LIMITS = { idleSeconds: 30, statementSeconds: 300, lockSeconds: 60, clientSeconds: 330 };
export type PgLimits = typeof DEFAULT_PG_LIMITS;

function postgresLimits(env: NodeJS.ProcessEnv): PgLimits {
  const seconds = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === "") return fallback;
    const n = /^\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw) : NaN;
    if (!(n > 0)) throw new ConfigError(`${name} must be a number of seconds > 0, got "${raw}"`);
    return n;
  };
  const statementSeconds = seconds("VWATCH_PG_STATEMENT_TIMEOUT", DEFAULT_PG_LIMITS.statementSeconds);
  return {
    idleSeconds: seconds("VWATCH_PG_IDLE_TIMEOUT", DEFAULT_PG_LIMITS.idleSeconds),
    statementSeconds,
    lockSeconds: seconds("VWATCH_PG_LOCK_TIMEOUT", DEFAULT_PG_LIMITS.lockSeconds),
    // By default a little longer than the statement timeout, so the server's own cancel comes first.
    clientSeconds: seconds("VWATCH_PG_CLIENT_TIMEOUT", statementSeconds + 30),
  };
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
