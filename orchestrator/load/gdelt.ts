import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { InputError, WarehouseError } from "../errors";
import { openDuckdb } from "../warehouse/duckdb";
import { duckdbSchema, duckdbSchemaName, duckdbString, duckdbTableName, quoteIdent } from "../warehouse/duckdb-names";
import { forEachLine, materialize } from "./decompress";
import { GDELT_TABLES, PARTITION_COLUMN, duckdbType, gdeltFileName, gdeltKindOf, type GdeltColumn, type GdeltKind, type GdeltTable } from "./gdelt-schema";
import { ensureLedger, findLoaded, forgetKind, recordLoaded } from "./ledger";

/**
 * Loads raw GDELT 2.0 files into the local source tables, with BigQuery's column names and types.
 *
 * Per file: decompress to a temporary plain file (hashing it), read it with DuckDB's CSV reader
 * as text, validate every typed column in SQL, then insert the typed rows and a ledger row in one
 * transaction. A file is all or nothing: any bad line rejects the file and leaves the tables as
 * they were. A file whose name and content were loaded before is skipped, so re-loading never
 * duplicates rows.
 */
export interface LoadGdeltOptions {
  /** Force the file kind instead of taking it from the name. */
  kind?: GdeltKind;
  /** Where decompressed copies go (default: the OS temp folder). */
  tmpDir?: string;
  /** Called after each file, e.g. for progress. */
  onFile?: (result: FileLoadResult) => void;
}

export interface FileLoadResult {
  /** The file as given. */
  file: string;
  /** The GDELT name, without .gz/.zip: the ledger key. */
  name: string;
  kind: GdeltKind;
  status: "loaded" | "skipped";
  /** Rows inserted (loaded) or rows already present from the earlier load (skipped). */
  rows: number;
  sha256: string;
  /** Why a file was skipped. */
  reason?: string;
}

export async function loadGdeltFiles(db: DuckDBConnection | string, files: string[], opts: LoadGdeltOptions = {}): Promise<FileLoadResult[]> {
  if (typeof db === "string") {
    const warehouse = await openDuckdb(db);
    try {
      return await loadGdeltFiles(warehouse.connection, files, opts);
    } finally {
      await warehouse.close();
    }
  }
  const plan = files.map((file) => {
    const kind = opts.kind ?? gdeltKindOf(file);
    if (!kind) throw new InputError(`${file}: cannot tell the GDELT file type from its name (expected *.export.CSV or *.mentions.CSV, optionally .gz or .zip)`);
    return { file, kind };
  });
  await ensureLedger(db);
  for (const kind of new Set(plan.map((p) => p.kind))) {
    // Rows of a dropped table are gone: forget the ledger entries that claimed them.
    if (await ensureGdeltTable(db, GDELT_TABLES[kind])) await forgetKind(db, kind);
  }
  const tmpDir = fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), "vwatch-load-"));
  const results: FileLoadResult[] = [];
  try {
    for (const { file, kind } of plan) {
      const result = await loadOne(db, file, GDELT_TABLES[kind], tmpDir);
      results.push(result);
      opts.onFile?.(result);
    }
  } finally {
    fs.rmSync(tmpDir, { recursive: true, force: true });
  }
  return results;
}

/** Creates the schema and table if missing; true when the table was created now. */
async function ensureGdeltTable(db: DuckDBConnection, table: GdeltTable): Promise<boolean> {
  const exists = await db.runAndReadAll(`select 1 from duckdb_tables() where schema_name = $1 and table_name = $2`, [duckdbSchema(table.target, undefined), table.target.name]);
  if (exists.currentRowCount > 0) return false;
  const columns = table.columns.map((c) => `  ${quoteIdent(c.name)} ${duckdbType(c.type)}`);
  columns.push(`  ${quoteIdent(PARTITION_COLUMN)} TIMESTAMPTZ`);
  await db.run(`create schema if not exists ${duckdbSchemaName(table.target, undefined)}`);
  await db.run(`create table if not exists ${tableName(table)} (\n${columns.join(",\n")}\n)`);
  return true;
}

const tableName = (table: GdeltTable) => duckdbTableName(table.target, undefined);

async function loadOne(db: DuckDBConnection, file: string, table: GdeltTable, tmpDir: string): Promise<FileLoadResult> {
  const name = gdeltFileName(file);
  const content = await materialize(file, tmpDir);
  const base = { file, name, kind: table.kind, sha256: content.sha256 };
  try {
    const earlier = await findLoaded(db, table.kind, name, content.sha256);
    if (earlier?.name === name && earlier.sha256 === content.sha256) {
      return { ...base, status: "skipped", rows: earlier.rows, reason: "already loaded" };
    }
    if (earlier?.name === name) {
      throw new InputError(
        `${file}: ${name} was loaded before with different content (sha256 ${earlier.sha256.slice(0, 12)}…, now ${content.sha256.slice(0, 12)}…); ` +
          `GDELT files do not change once published, so this copy is refused`,
      );
    }
    if (earlier) return { ...base, status: "skipped", rows: earlier.rows, reason: `same content already loaded as ${earlier.name}` };

    const rows = await stage(db, file, content.path, table);
    await db.run("begin transaction");
    try {
      await db.run(`insert into ${tableName(table)} by name select ${typedSelect(table)} from vwatch_stage`);
      await recordLoaded(db, { name, kind: table.kind, sha256: content.sha256, rows });
      await db.run("commit");
    } catch (e) {
      await db.run("rollback");
      throw new WarehouseError(`${file}: loading into ${tableName(table)} failed: ${(e as Error).message}`, { cause: e });
    }
    return { ...base, status: "loaded", rows };
  } finally {
    await db.run("drop table if exists temp.vwatch_stage");
    if (content.temporary) fs.rmSync(content.path, { force: true });
  }
}

/** Reads the file as text into temp.vwatch_stage and validates it; returns its row count. */
async function stage(db: DuckDBConnection, file: string, csvPath: string, table: GdeltTable): Promise<number> {
  const columns = table.columns.map((c) => `${duckdbString(c.name)}: 'VARCHAR'`).join(", ");
  await db.run("drop table if exists temp.vwatch_rejects");
  await db.run("drop table if exists temp.vwatch_reject_scans");
  try {
    await db.run(
      `create or replace temp table vwatch_stage as select *, ${firstBadColumn(table.columns)} as vwatch_bad from read_csv(${duckdbString(csvPath)}, ` +
        `delim = '\t', header = false, quote = '', escape = '', auto_detect = false, columns = {${columns}}, ` +
        `store_rejects = true, rejects_table = 'vwatch_rejects', rejects_scan = 'vwatch_reject_scans')`,
    );
  } catch (e) {
    throw new InputError(`${file}: not a readable GDELT ${table.kind} file: ${(e as Error).message.split("\n")[0]}`, { cause: e });
  }
  const rejects = await db.runAndReadAll(
    `select line, column_name, error_type, error_message from temp.vwatch_rejects order by line limit 1`,
  );
  if (rejects.currentRowCount > 0) {
    const [line, column, type, message] = rejects.getRows()[0] as [bigint, string, string, string];
    const expected = table.columns.length;
    const what = /COLUMNS/.test(type) ? `wrong number of columns (a ${table.kind} line has ${expected}): ${message}` : `${type}: ${message}`;
    throw new InputError(`${file} line ${line}, column ${column}: ${what}; the file was not loaded`);
  }
  const bad = await db.runAndReadAll(
    `select rowid, vwatch_bad from vwatch_stage where vwatch_bad is not null order by rowid limit 1`,
  );
  if (bad.currentRowCount > 0) {
    const [rowid, column] = bad.getRows()[0] as [bigint, string];
    const value = (await db.runAndReadAll(`select ${quoteIdent(column)} from vwatch_stage where rowid = ${rowid}`)).getRows()[0][0];
    const position = table.columns.findIndex((c) => c.name === column) + 1;
    const spec = table.columns[position - 1];
    const line = await physicalLine(csvPath, Number(rowid));
    throw new InputError(
      `${file} line ${line}, column ${column} (${position}): ${describeProblem(spec, value as string | null)}; the file was not loaded`,
    );
  }
  const count = await db.runAndReadAll(`select count(*) from vwatch_stage`);
  return Number(count.getRows()[0][0]);
}

const FLOAT = "[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?";

function validity(c: GdeltColumn): string {
  const col = quoteIdent(c.name);
  const checks: string[] = [];
  // Round trips are strict (DuckDB's own casts accept "1.5", " 12", "0x10" or "1e3" as integers).
  if (c.timestamp) checks.push(`strftime(try_strptime(${col}, '%Y%m%d%H%M%S'), '%Y%m%d%H%M%S') = ${col}`);
  else if (c.type === "INT64") checks.push(`regexp_full_match(${col}, '-?[0-9]{1,18}')`);
  else if (c.type === "FLOAT64") checks.push(`regexp_full_match(${col}, '${FLOAT}')`);
  if (checks.length === 0 && !c.required) return "true";
  // coalesce: a NULL from a failed try_strptime must count as invalid, not slip through CASE.
  const valid = `coalesce(${checks.join(" and ") || "true"}, false)`;
  return c.required ? `(${col} is not null and ${valid})` : `(${col} is null or ${valid})`;
}

/** A SQL expression naming the first invalid column of a staged row, or null. */
function firstBadColumn(columns: readonly GdeltColumn[]): string {
  const whens = columns
    .map((c) => ({ c, test: validity(c) }))
    .filter((x) => x.test !== "true")
    .map((x) => `when not ${x.test} then ${duckdbString(x.c.name)}`);
  return `case ${whens.join(" ")} end`;
}

function describeProblem(c: GdeltColumn, value: string | null): string {
  if (value === null) return "empty, but every row needs a value here";
  const shown = JSON.stringify(value.length > 60 ? value.slice(0, 60) + "…" : value);
  if (c.timestamp) return `expected a YYYYMMDDHHMMSS timestamp, got ${shown}`;
  return `expected ${c.type === "INT64" ? "an integer" : "a number"}, got ${shown}`;
}

function typedSelect(table: GdeltTable): string {
  const cols = table.columns.map((c) => {
    const col = quoteIdent(c.name);
    return c.type === "STRING" ? col : `cast(${col} as ${duckdbType(c.type)}) as ${col}`;
  });
  // The UTC day of the row's timestamp, as BigQuery's ingestion partitions hold it.
  const from = quoteIdent(table.partitionFrom);
  cols.push(`timezone('UTC', strptime(substr(${from}, 1, 8), '%Y%m%d')) as ${quoteIdent(PARTITION_COLUMN)}`);
  return cols.join(", ");
}

/** The 1-based line of the n-th (0-based) data row; DuckDB's reader skips empty lines. */
async function physicalLine(csvPath: string, dataRow: number): Promise<number> {
  let line = 0;
  let seen = -1;
  let found = 0;
  await forEachLine(csvPath, (text) => {
    line++;
    if (found || text === "") return;
    if (++seen === dataRow) found = line;
  });
  return found || dataRow + 1;
}


