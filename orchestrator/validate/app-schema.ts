/**
 * EXTERNAL_QUERY result columns from the application's declared schema (the product's
 * externalQuerySchema hook, orchestrator/app/schema.sql here): the schema is created in a
 * throwaway PostgreSQL schema inside a transaction that is always rolled back, each inner query
 * is described there (postgres/external-query.ts gives BigQuery's types), and the answers are
 * cached under the home folder keyed on the schema and the query, so later validations need no
 * PostgreSQL at all.
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { VwatchError } from "../errors";
import type { PgSink } from "../postgres/connect";
import type { ExternalQuery } from "../sql/external-query";
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

export interface DescriberOptions {
  /** Where the answers are cached (<home>/validate/external-queries.json). */
  home: string;
  /** The application's declared PostgreSQL schema (DDL). */
  schemaSql: string;
  /** Where it is declared, to name in errors (e.g. orchestrator/app/schema.sql). */
  schemaFile: string;
  /** The PostgreSQL connection to describe on, asked for only when the cache does not answer; the caller closes it. */
  postgres: () => Promise<PgSink>;
}

export function appSchemaDescriber(options: DescriberOptions): AppSchemaDescriber {
  const { schemaSql } = options;
  let session: Promise<PgSink> | undefined;
  const cacheFile = path.join(options.home, "validate", "external-queries.json");
  let cache: Record<string, Column[]> | undefined;

  const open = async (): Promise<PgSink> => {
    const sink = await options.postgres();
    try {
      const scratch = `vwatch_validate_${process.pid}`;
      await sink.execute("begin");
      // Validation analyzes statements between describes, for longer than the sink's idle bound
      // may allow; this transaction holds only its own scratch schema and is always rolled back.
      await sink.execute("set local idle_in_transaction_session_timeout = 0");
      await sink.execute(`create schema ${scratch}`);
      await sink.execute(`set local search_path to ${scratch}`);
      await sink.execute(schemaSql);
      return sink;
    } catch (e) {
      await sink.execute("rollback").catch(() => undefined);
      throw e;
    }
  };

  return {
    async describe(query, file) {
      const key = createHash("sha256").update(`${schemaSql}\n${query.connection}\n${query.sql}`).digest("hex");
      cache ??= readCache(cacheFile);
      if (cache[key]) return cache[key];
      session ??= open();
      const sink = await session;
      const { federatedColumns } = await import("../postgres/external-query");
      // A failing inner query must not abort the transaction the next ones run in.
      await sink.execute("savepoint describe");
      let columns: Column[];
      try {
        columns = (await federatedColumns(sink, query, file)).map((c) => ({ name: c.name, type: c.bigquery }));
      } catch (e) {
        // PostgreSQL refused the query: say so against the declared schema, not the server it ran on.
        const refused = /SQLSTATE \w+\): (.*?)(?:\. Point DATABASE_URL[\s\S]*)?$/.exec((e as Error).message);
        if (!refused) throw e;
        throw new ExternalQueryError(`EXTERNAL_QUERY(${JSON.stringify(query.connection)}, …): ${refused[1]} in the application's declared schema (${options.schemaFile})`);
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
