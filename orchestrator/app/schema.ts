import * as fs from "fs";
import * as path from "path";

/** The application's PostgreSQL tables (schema.sql beside this file), as the project declares them. */
export const APP_SCHEMA_FILE = "orchestrator/app/schema.sql";

let schema: string | undefined;

/** The DDL of schema.sql: creates the application's tables where missing, never changes existing ones. */
export function appSchema(): string {
  schema ??= fs.readFileSync(path.join(__dirname, "schema.sql"), "utf8");
  return schema;
}
