/**
 * EXTERNAL_QUERY result columns from the application's declared schema (orchestrator/app/schema.sql):
 * the schema is created in a throwaway PostgreSQL schema inside a transaction that is always
 * rolled back, each inner query is described there (federated/materialize.ts gives BigQuery's
 * types), and the answers are cached under the home folder keyed on the schema and the query, so
 * later validations need no PostgreSQL at all.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import type { Config } from "../config";
import { VwatchError } from "../errors";
import type { ExternalQuery } from "../federated/extract";
import type { PgSink } from "../sink/connect";
import type { Column } from "../warehouse/warehouse";

export type DescribeExternalQuery = (query: ExternalQuery, file?: string) => Promise<Column[]>;

/** The inner query itself is wrong against the declared schema (a missing table or column, a syntax error). */
export class ExternalQueryError extends VwatchError {
  constructor(message: string) {
    super("EXTERNAL_QUERY", message);
  }
}

interface AppSchemaDescriber {
  describe: DescribeExternalQuery;
  close(): Promise<void>;
}

export function appSchemaDescriber(config: Pick<Config, "databaseUrl" | "home">): AppSchemaDescriber {
  let schemaSql: string | undefined;
  let session: Promise<PgSink> | undefined;
  const cacheFile = path.join(config.home, "validate", "external-queries.json");
  let cache: Record<string, Column[]> | undefined;

  const open = async (): Promise<PgSink> => {
    const { openSink } = await import("../sink/connect");
    const sink = await openSink(config);
    try {
      const scratch = `vwatch_validate_${process.pid}`;
      await sink.execute("begin");
      // Validation analyzes statements between describes, for longer than the sink's idle bound
      // may allow; this transaction holds only its own scratch schema and is always rolled back.
      await sink.execute("set local idle_in_transaction_session_timeout = 0");
      await sink.execute(`create schema ${scratch}`);
      await sink.execute(`set local search_path to ${scratch}`);
      await sink.execute(schemaSql!);
      return sink;
    } catch (e) {
      await sink.close();
      throw e;
    }
  };

  return {
    async describe(query, file) {
      const { APP_SCHEMA } = await import("../app/seed");
      schemaSql ??= APP_SCHEMA;
      const key = createHash("sha256").update(`${schemaSql}\n${query.connection}\n${query.sql}`).digest("hex");
      cache ??= readCache(cacheFile);
      if (cache[key]) return cache[key];
      session ??= open();
      const sink = await session;
      const { describeExternalQuery } = await import("../federated/materialize");
      // A failing inner query must not abort the transaction the next ones run in.
      await sink.execute("savepoint describe");
      let columns: Column[];
      try {
        columns = await describeExternalQuery(sink, query, file);
      } catch (e) {
        // PostgreSQL refused the query: say so against the declared schema, not the server it ran on.
        const refused = /SQLSTATE \w+\): (.*?)(?:\. Point DATABASE_URL[\s\S]*)?$/.exec((e as Error).message);
        if (!refused) throw e;
        throw new ExternalQueryError(`EXTERNAL_QUERY(${JSON.stringify(query.connection)}, …): ${refused[1]} in the application's declared schema (orchestrator/app/schema.sql)`);
      } finally {
        await sink.execute("rollback to savepoint describe");
      }
      cache[key] = columns;
      writeCache(cacheFile, cache);
      return columns;
    },
    async close() {
      if (!session) return;
      const sink = await session.catch(() => undefined);
      session = undefined;
      if (!sink) return;
      await sink.execute("rollback").catch(() => undefined);
      await sink.close();
    },
  };
}

function readCache(file: string): Record<string, Column[]> {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, Column[]>;
  } catch {
    return {};
  }
}

function writeCache(file: string, cache: Record<string, Column[]>): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(cache, null, 1));
  } catch {
    // A cache that cannot be written only costs a PostgreSQL round trip next time.
  }
}
