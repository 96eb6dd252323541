/**
 * The local warehouse: one DuckDB file. Statements arrive already translated to DuckDB SQL.
 *
 * query() returns plain JS values: BIGINT/HUGEINT → number when safe, else string; DATE →
 * 'YYYY-MM-DD'; TIMESTAMP/TIMESTAMPTZ → ISO string with Z (millisecond precision); DECIMAL →
 * number; JSON → string; lists and structs → arrays and objects with the same rules. The session
 * runs in UTC, as BigQuery does, so TIMESTAMP and TIMESTAMPTZ mean the same instant.
 */
import * as fs from "fs";
import * as path from "path";
import {
  DuckDBArrayType,
  DuckDBConnection,
  DuckDBInstance,
  DuckDBListType,
  DuckDBStructType,
  DuckDBTypeId,
  ResultReturnType,
  type DuckDBResultReader,
  type DuckDBType,
} from "@duckdb/node-api";
import type { Target } from "../compile/graph";
import { ConfigError, WarehouseError } from "../errors";
import { DUCKDB_TO_BIGQUERY_TYPES, duckdbSchema, duckdbString, quoteIdent } from "./duckdb-names";
import { firstLine, safeInteger, type Column, type ExecuteResult, type TableMetadata, type Warehouse } from "./warehouse";

export class DuckdbWarehouse implements Warehouse {
  readonly dialect = "duckdb" as const;

  constructor(
    private readonly instance: DuckDBInstance,
    /** For bulk work the Warehouse interface does not cover (the GDELT loader). */
    readonly connection: DuckDBConnection,
    private readonly defaultDatabase: string | undefined,
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

  async tableMetadata(target: Target): Promise<TableMetadata | undefined> {
    // DuckDB's catalog functions, not information_schema: its views list every column of every
    // table and view on each call (~10 ms a lookup once the project is built, and a run looks up
    // every table it includes and every source it reads); these take 1-3 ms.
    const where = { schema: duckdbSchema(target, this.defaultDatabase), name: target.name };
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
      columns: columns.map((c): Column => ({ name: c.column_name, type: bigqueryType(c.data_type) })),
    };
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** Opens (creating if needed) the DuckDB file; the parent folder is created too. */
export async function openDuckdb(file: string, opts: { defaultDatabase?: string } = {}): Promise<DuckdbWarehouse> {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  try {
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    await connection.run("SET TimeZone = 'UTC'");
    return new DuckdbWarehouse(instance, connection, opts.defaultDatabase);
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

function toPlainRows(reader: DuckDBResultReader): Record<string, unknown>[] {
  const names = reader.columnNames();
  const convert = reader.columnTypes().map(converter);
  return reader.getRowObjectsJS().map((row) => {
    const out: Record<string, unknown> = {};
    names.forEach((n, i) => (out[n] = convert[i](row[n])));
    return out;
  });
}

type Convert = (v: unknown) => unknown;

/** A value converter for a column, built once from its type tree (so a DATE in a STRUCT stays a date). */
function converter(type: DuckDBType): Convert {
  if (type.typeId === DuckDBTypeId.DATE) return (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : v);
  if (type instanceof DuckDBListType || type instanceof DuckDBArrayType) {
    const item = converter(type.valueType);
    return (v) => (Array.isArray(v) ? v.map(item) : v);
  }
  if (type instanceof DuckDBStructType) {
    const entries = new Map(type.entryNames.map((name, i) => [name, converter(type.entryTypes[i])]));
    return (v) => (v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, (entries.get(k) ?? scalar)(x)])) : v);
  }
  return scalar;
}

function scalar(v: unknown): unknown {
  if (typeof v === "bigint") return safeInteger(v);
  if (v instanceof Date) return v.toISOString();
  return v;
}

/** DuckDB's information_schema type name in BigQuery's vocabulary. */
function bigqueryType(duck: string): string {
  if (duck.endsWith("[]")) return `ARRAY<${bigqueryType(duck.slice(0, -2))}>`;
  if (duck.startsWith("DECIMAL")) return "NUMERIC";
  if (duck.startsWith("STRUCT")) return "STRUCT";
  return DUCKDB_TO_BIGQUERY_TYPES[duck] ?? duck;
}
