import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import type { DuckDBConnection } from "@duckdb/node-api";
import { unzipSync } from "fflate";
import { InputError, WarehouseError } from "../errors";
import { openDuckdb } from "../warehouse/duckdb";
import { duckdbSchemaName, duckdbTableName, quoteIdent } from "../warehouse/duckdb-names";
import { detectCompression } from "./decompress";
import { decodeText, PARSERS, type ParseOptions, type Parsed, type Row } from "./economic-parse";
import { ECONOMIC_TABLES, type EconomicSource, type EconomicTable, type EconomicType } from "./economic-schema";

/**
 * Loads FRED, World Bank and UN Comtrade downloads into the raw_economics tables of the local
 * warehouse. Each file is upserted on its table's natural key in one transaction: new keys are
 * inserted, keys whose values changed are replaced, identical rows are left alone, so loading
 * the same file again changes nothing.
 */
export interface EconomicLoadResult {
  /** The file as given; `archive.zip/member.csv` for a member of a zip. */
  file: string;
  source: EconomicSource;
  status: "loaded" | "skipped";
  /** Rows read from the file (after skipping missing values and rejected rows). */
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  /** Values the file marks as missing, skipped. */
  missing: number;
  /** Rows that could not be read: skipped, with their line numbers. */
  rejected: { line: number; reason: string }[];
  /** Comtrade rows whose split quoted fields were joined back. */
  repaired: number;
  /** Why a file was skipped. */
  reason?: string;
}

const DUCKDB_TYPES: Record<EconomicType, string> = { STRING: "VARCHAR", INT64: "BIGINT", FLOAT64: "DOUBLE", DATE: "DATE", TIMESTAMP: "TIMESTAMPTZ" };

const tableName = (table: EconomicTable) => duckdbTableName(table.target, undefined);

/** Creates the raw economic tables that do not exist yet, empty, with DuckDB statements run by `execute`. */
export async function ensureEconomicTables(execute: (sql: string) => Promise<unknown>): Promise<void> {
  for (const table of Object.values(ECONOMIC_TABLES) as EconomicTable[]) {
    const columns = table.columns.map((c) => `${quoteIdent(c.name)} ${DUCKDB_TYPES[c.type]}${c.required ? " not null" : ""}`);
    await execute(`create schema if not exists ${duckdbSchemaName(table.target, undefined)}`);
    await execute(`create table if not exists ${tableName(table)} (${columns.join(", ")})`);
  }
}

export async function loadEconomicFiles(
  db: DuckDBConnection | string,
  source: EconomicSource,
  files: string[],
  opts: ParseOptions & { onFile?: (r: EconomicLoadResult) => void } = {},
): Promise<EconomicLoadResult[]> {
  if (typeof db === "string") {
    const warehouse = await openDuckdb(db);
    try {
      return await loadEconomicFiles(warehouse.connection, source, files, opts);
    } finally {
      await warehouse.close();
    }
  }
  // Read and parse everything first: a bad file stops the command before any table changes.
  const parsed = files.flatMap((file) => readMembers(file)).map((m) => parseMember(source, m, opts));
  await ensureEconomicTables((sql) => db.run(sql));
  const results: EconomicLoadResult[] = [];
  for (const p of parsed) {
    const result = "skip" in p ? p.skip : await upsert(db, ECONOMIC_TABLES[source], p.file, p.parsed);
    results.push(result);
    opts.onFile?.(result);
  }
  return results;
}

interface Member {
  file: string;
  bytes: Uint8Array;
}

/** The file's bytes, gunzipped; a zip gives each of its CSV members. */
function readMembers(file: string): Member[] {
  const compression = detectCompression(file);
  const bytes = fs.readFileSync(file);
  if (compression === "gzip") return [{ file, bytes: zlib.gunzipSync(bytes) }];
  if (compression === "zip") {
    const entries = Object.entries(unzipSync(bytes)).filter(([name]) => /\.csv$/i.test(name));
    if (entries.length === 0) throw new InputError(`${file}: the zip holds no .csv file`);
    return entries.map(([name, data]) => ({ file: `${file}/${name}`, bytes: data }));
  }
  return [{ file, bytes }];
}

function parseMember(source: EconomicSource, m: Member, opts: ParseOptions): { file: string; parsed: Parsed } | { skip: EconomicLoadResult } {
  const base = path.basename(m.file);
  if (source === "worldbank" && /^Metadata_/i.test(base)) {
    const skip: EconomicLoadResult = {
      file: m.file, source, status: "skipped", rows: 0, inserted: 0, updated: 0, unchanged: 0, missing: 0, rejected: [], repaired: 0,
      reason: "World Bank metadata file, not indicator values",
    };
    return { skip };
  }
  const parsed = PARSERS[source](m.file, decodeText(m.bytes), opts);
  if (parsed.rows.length === 0 && parsed.rejected.length > 0) {
    const first = parsed.rejected[0];
    throw new InputError(`${m.file}: no row could be read (line ${first.line}: ${first.reason}); is it a ${source} file?`);
  }
  return { file: m.file, parsed: dedupe(m.file, source, parsed) };
}

/** Identical repeats of a key collapse; a repeat with other values is rejected with both lines. */
function dedupe(file: string, source: EconomicSource, parsed: Parsed): Parsed {
  const key = ECONOMIC_TABLES[source].key;
  const seen = new Map<string, { line: number; row: Row }>();
  const rejected = [...parsed.rejected];
  for (const r of parsed.rows) {
    const k = JSON.stringify(key.map((c) => r.row[c]));
    const earlier = seen.get(k);
    if (!earlier) seen.set(k, r);
    else if (JSON.stringify(earlier.row) !== JSON.stringify(r.row)) {
      rejected.push({ line: r.line, reason: `same ${key.join(", ")} as line ${earlier.line} but different values; kept line ${earlier.line}` });
    }
  }
  rejected.sort((a, b) => a.line - b.line);
  return { ...parsed, rows: [...seen.values()], rejected };
}

async function upsert(db: DuckDBConnection, table: EconomicTable, file: string, parsed: Parsed): Promise<EconomicLoadResult> {
  const target = tableName(table);
  const stage = "vwatch_economic_stage";
  const data = table.columns.filter((c) => c.name !== "source_file" && c.name !== "loaded_at");
  const typed = data.map((c) => `cast(${quoteIdent(c.name)} as ${DUCKDB_TYPES[c.type]}) as ${quoteIdent(c.name)}`).join(", ");
  const on = table.key.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(" and ");
  const changed = `(${data.map((c) => `t.${quoteIdent(c.name)}`).join(", ")}) is distinct from (${data.map((c) => `s.${quoteIdent(c.name)}`).join(", ")})`;
  await db.run(`create or replace temp table ${stage} (${data.map((c) => `${quoteIdent(c.name)} varchar`).join(", ")})`);
  try {
    const appender = await db.createAppender(stage, null, "temp");
    for (const { row } of parsed.rows) {
      for (const c of data) {
        const v = row[c.name];
        if (v === null || v === undefined) appender.appendNull();
        else appender.appendVarchar(v);
      }
      appender.endRow();
    }
    appender.closeSync();
    await db.run("begin transaction");
    try {
      await db.run(`create or replace temp table ${stage}_typed as select ${typed} from ${stage}`);
      const counts = await db.runAndReadAll(
        `select count(*) filter (where t.${quoteIdent(table.key[0])} is null), count(*) filter (where t.${quoteIdent(table.key[0])} is not null and ${changed}) ` +
          `from ${stage}_typed s left join ${target} t on ${on}`,
      );
      const [inserted, updated] = (counts.getRows()[0] as bigint[]).map(Number);
      await db.run(`delete from ${target} t using ${stage}_typed s where ${on} and ${changed}`);
      await db.run(
        `insert into ${target} by name select s.*, $1 as source_file, now() as loaded_at from ${stage}_typed s ` +
          `where not exists (select 1 from ${target} t where ${on})`,
        [path.basename(file)],
      );
      await db.run("commit");
      const rows = parsed.rows.length;
      return {
        file, source: table.source, status: "loaded", rows, inserted, updated, unchanged: rows - inserted - updated,
        missing: parsed.missing, rejected: parsed.rejected, repaired: parsed.repaired,
      };
    } catch (e) {
      await db.run("rollback");
      throw new WarehouseError(`${file}: loading into ${target} failed: ${(e as Error).message}`, { cause: e });
    }
  } finally {
    await db.run(`drop table if exists temp.${stage}`);
    await db.run(`drop table if exists temp.${stage}_typed`);
  }
}
