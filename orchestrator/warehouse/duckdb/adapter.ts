/**
 * The local warehouse: one DuckDB file. Plan statements arrive in DuckDB SQL (statements.ts
 * translates them); hand-written BigQuery SQL (`run`) is translated here. Translations are kept
 * beside the warehouse file (translations.ts), so a repeat command need not start the translator.
 *
 * query() returns plain JS values (values.ts). The session runs in UTC, as BigQuery does, so
 * TIMESTAMP and TIMESTAMPTZ mean the same instant.
 */
import * as fs from "fs";
import * as path from "path";
import { DuckDBConnection, DuckDBInstance, ResultReturnType } from "@duckdb/node-api";
import type { Target } from "../../compile/graph";
import { ConfigError, WarehouseError } from "../../errors";
import type { PgSink } from "../../postgres/connect";
import type { ExternalQuery } from "../../sql/external-query";
import type { ProjectDefaults } from "../../sql/names";
import { duckdbToBigQuery } from "../../sql/types";
import type { StatementBuilder } from "../statements";
import { firstLine, type Column, type ExecuteResult, type TableMetadata, type Warehouse } from "../warehouse";
import { duckdbSchema, duckdbString, quoteIdent } from "../../sql/duckdb-names";
import { duckdbRelation, duckdbStatements } from "./statements";
import { Translations } from "./translations";
import { toPlainRows } from "./values";

export class DuckdbWarehouse implements Warehouse {
  readonly dialect = "duckdb" as const;
  readonly local = true;
  constructor(
    private readonly instance: DuckDBInstance,
    /** For bulk work the Warehouse interface does not cover (the GDELT loader). */
    readonly connection: DuckDBConnection,
    private readonly defaults: ProjectDefaults,
    /** Translations of BigQuery SQL, kept beside the warehouse file for the next command. */
    private readonly translations: Translations = new Translations(undefined),
  ) {}

  async execute(sql: string, options: { dryRun?: boolean } = {}): Promise<ExecuteResult> {
    return guard(sql, async () => {
      if (options.dryRun) {
        // Prepares (parses and binds) every statement without running it.
        const statements = await this.connection.extractStatements(sql);
        for (let i = 0; i < statements.count; i++) await statements.prepare(i);
        return {};
      }
      const result = await this.connection.run(sql);
      return result.returnType === ResultReturnType.CHANGED_ROWS ? { rows: result.rowsChanged } : {};
    });
  }

  async query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return guard(sql, async () => {
      const reader = await this.connection.runAndReadAll(sql, params as never);
      return toPlainRows(reader) as T[];
    });
  }

  async run<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>): Promise<T[]> {
    return this.query<T>(await this.translate(sql), params);
  }

  relation(target: Target): string {
    return duckdbRelation(target, this.defaults);
  }

  async statements(): Promise<StatementBuilder> {
    const { defaultDatabase, defaultSchema } = this.defaults;
    return duckdbStatements(this.defaults, (sql, file) => this.translations.translate(sql, { defaultDatabase, defaultSchema, file }));
  }

  async estimateBytes(): Promise<number | undefined> {
    return undefined; // DuckDB has no estimate of what a statement reads
  }

  async serveExternalQueries(queries: ExternalQuery[], postgres: () => Promise<PgSink>, file?: string): Promise<void> {
    const { materializeExternalQueries } = await import("./external-query");
    await materializeExternalQueries(await postgres(), (sql) => this.execute(sql), queries, file);
  }

  async tableMetadata(target: Target): Promise<TableMetadata | undefined> {
    // DuckDB's catalog functions, not information_schema: its views list every column of every
    // table and view on each call (~10 ms a lookup once the project is built, and a run looks up
    // every table it includes and every source it reads); these take 1-3 ms.
    const where = { schema: duckdbSchema(target, this.defaults.defaultDatabase), name: target.name };
    const [found] = await this.query<{ kind: "table" | "view" }>(
      `select 'table' as kind from duckdb_tables() where schema_name = $schema and table_name = $name
       union all
       select 'view' as kind from duckdb_views() where not internal and schema_name = $schema and view_name = $name`,
      where,
    );
    if (!found) return undefined;
    // A view's columns as recorded when it was made (also when its source is gone since); a table's from its own entry.
    const columns =
      found.kind === "view"
        ? await this.query<{ column_name: string; data_type: string }>(
            "select column_name, data_type from duckdb_columns() where schema_name = $schema and table_name = $name order by column_index",
            where,
          )
        : await this.query<{ column_name: string; data_type: string }>(
            `select name as column_name, type as data_type from pragma_table_info(${duckdbString(`${quoteIdent(where.schema)}.${quoteIdent(where.name)}`)}) order by cid`,
          );
    return {
      target,
      kind: found.kind,
      columns: columns.map((c): Column => ({ name: c.column_name, type: duckdbToBigQuery(c.data_type) })),
    };
  }

  async close(): Promise<void> {
    this.translations.save();
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** Hand-written BigQuery SQL in DuckDB's, by the engine's translator (loaded on first use). */
  private translate(sql: string): Promise<string> {
    const { defaultDatabase, defaultSchema } = this.defaults;
    return this.translations.translate(sql, { defaultDatabase, defaultSchema });
  }
}

/** Where a warehouse file's translations are kept: beside it. */
export function translationsFile(file: string): string {
  return path.join(path.dirname(path.resolve(file)), `${path.basename(file)}.translations.json`);
}

/** Opens (creating if needed) the DuckDB file; the parent folder is created too. */
export async function openDuckdb(file: string, defaults: ProjectDefaults = {}): Promise<DuckdbWarehouse> {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  try {
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckdbWarehouse(instance, connection, defaults, new Translations(file === ":memory:" ? undefined : translationsFile(file)));
  } catch (e) {
    const message = (e as Error).message;
    // DuckDB lets one process write a file: another command (a run, a load, a sync) has it open.
    if (/Could not set lock on file/.test(message)) {
      const pid = /\(PID (\d+)\)/.exec(message)?.[1];
      throw new WarehouseError(`another vwatch command${pid ? ` (pid ${pid})` : ""} is using the warehouse file ${file}; wait for it to finish, or use another --home`, { cause: e });
    }
    if (/exists, but it is not a valid DuckDB database file/.test(message)) {
      throw new ConfigError(`${file} is not a DuckDB database file: move it away, and \`vwatch load\` and \`vwatch run\` make a new one`, { cause: e });
    }
    throw new WarehouseError(`cannot open DuckDB file ${file}: ${message}`, { cause: e });
  }
}

async function guard<T>(sql: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw new WarehouseError(`${(e as Error).message}\n  in: ${firstLine(sql)}`, { cause: e });
  }
}
