import * as path from "path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { InputError, VwatchError } from "../errors";
import { openDuckdb } from "../warehouse/duckdb/adapter";
import { duckdbSchemaName, duckdbTableName, quoteIdent } from "../sql/duckdb-names";
import { detectCompression, readMembers } from "./decompress";
import { decodeText, PARSERS, type ParseOptions, type Parsed, type Row } from "./economic-parse";
import { duckdbType } from "../sql/types";
import { ECONOMIC_TABLES, type EconomicSource, type EconomicTable } from "./economic-schema";
import { rollback, storageFailure, withCleanup } from "./transaction";

/**
 * Loads FRED, World Bank and UN Comtrade downloads into the raw_economics tables of the local
 * warehouse. Each file is upserted on its table's natural key in one transaction: new keys are
 * inserted, keys whose values changed are replaced, identical rows are left alone, so loading
 * the same file again changes nothing. A bad file changes nothing and is reported in its result;
 * the other files still load. A failing warehouse (a full disk) stops the load (WarehouseError).
 */
export interface EconomicLoadResult {
  /** The file as given; `archive.zip/member.csv` for a member of a zip. */
  file: string;
  source: EconomicSource;
  status: "loaded" | "skipped" | "failed";
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
  /** Why a file failed: one line naming it. */
  error?: string;
}

const tableName = (table: EconomicTable) => duckdbTableName(table.target, undefined);

/** Creates the raw economic tables that do not exist yet, empty, with DuckDB statements run by `execute`. */
export async function ensureEconomicTables(execute: (sql: string) => Promise<unknown>): Promise<void> {
  for (const table of Object.values(ECONOMIC_TABLES) as EconomicTable[]) {
    const columns = table.columns.map((c) => `${quoteIdent(c.name)} ${duckdbType(c.type)}${c.required ? " not null" : ""}`);
    await execute(`create schema if not exists ${duckdbSchemaName(table.target, undefined)}`);
    await execute(`create table if not exists ${tableName(table)} (${columns.join(", ")})`);
  }
}

export async function loadEconomicFiles(
  db: DuckDBConnection | string,
  source: EconomicSource,
  files: string[],
  /** onFile: called after each file with its results (one per CSV of a zip). */
  opts: ParseOptions & { onFile?: (results: EconomicLoadResult[]) => void } = {},
): Promise<EconomicLoadResult[]> {
  if (typeof db === "string") {
    const warehouse = await openDuckdb(db);
    return withCleanup(() => loadEconomicFiles(warehouse.connection, source, files, opts), () => warehouse.close());
  }
  try {
    await ensureEconomicTables((sql) => db.run(sql));
  } catch (e) {
    throw storageFailure("preparing the raw_economics tables failed", e);
  }
  const results: EconomicLoadResult[] = [];
  for (const file of files) {
    const done = await loadFile(db, source, file, opts);
    results.push(...done);
    opts.onFile?.(done);
  }
  return results;
}

/**
 * One file, all or nothing: every member read and parsed before anything is written, then all
 * upserted in one transaction. Bad input is one "failed" result; anything else is thrown.
 */
async function loadFile(db: DuckDBConnection, source: EconomicSource, file: string, opts: ParseOptions): Promise<EconomicLoadResult[]> {
  try {
    const zip = detectCompression(file) === "zip";
    const members = await readMembers(file, (name) => !zip || /\.csv$/i.test(name));
    if (members.length === 0) throw new InputError(`${file}: the zip holds no .csv file`);
    const parsed = members.map((m) => parseMember(source, { file: zip ? `${file}/${m.name}` : file, bytes: m.bytes }, opts));
    return await upsertFile(db, ECONOMIC_TABLES[source], file, parsed);
  } catch (e) {
    if (e instanceof InputError) return [{ ...emptyResult(file, source), status: "failed", error: e.message }];
    if (e instanceof VwatchError) throw e;
    throw storageFailure(`${file}: loading failed`, e);
  }
}

const emptyResult = (file: string, source: EconomicSource): EconomicLoadResult => ({
  file, source, status: "skipped", rows: 0, inserted: 0, updated: 0, unchanged: 0, missing: 0, rejected: [], repaired: 0,
});

interface Member {
  file: string;
  bytes: Uint8Array;
}

function parseMember(source: EconomicSource, m: Member, opts: ParseOptions): { file: string; parsed: Parsed } | { skip: EconomicLoadResult } {
  const base = path.basename(m.file);
  if (source === "worldbank" && /^Metadata_/i.test(base)) {
    return { skip: { ...emptyResult(m.file, source), reason: "World Bank metadata file, not indicator values" } };
  }
  const parsed = PARSERS[source](m.file, decodeText(m.bytes), opts);
  if (parsed.rows.length === 0 && parsed.rejected.length > 0) {
    const first = parsed.rejected[0];
    throw new InputError(`${m.file}: no row could be read (line ${first.line}: ${first.reason}); is it a ${source} file?`);
  }
  if (parsed.rows.length === 0 && parsed.missing === 0) throw new InputError(`${m.file}: holds no data rows; download it again`);
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

async function upsertFile(db: DuckDBConnection, table: EconomicTable, file: string, members: ReturnType<typeof parseMember>[]): Promise<EconomicLoadResult[]> {
  const target = tableName(table);
  return withCleanup(
    async () => {
      const results: EconomicLoadResult[] = [];
      await db.run("begin transaction");
      try {
        for (const m of members) results.push("skip" in m ? m.skip : await upsert(db, table, m.file, m.parsed));
        await db.run("commit");
      } catch (e) {
        await rollback(db);
        throw storageFailure(`${file}: loading into ${target} failed`, e, "nothing of it was loaded");
      }
      return results;
    },
    async () => {
      await db.run(`drop table if exists temp.${STAGE}`);
      await db.run(`drop table if exists temp.${STAGE}_typed`);
    },
  );
}

const STAGE = "vwatch_economic_stage";

/** Inside the file's transaction. */
async function upsert(db: DuckDBConnection, table: EconomicTable, file: string, parsed: Parsed): Promise<EconomicLoadResult> {
  const target = tableName(table);
  const stage = STAGE;
  const data = table.columns.filter((c) => c.name !== "source_file" && c.name !== "loaded_at");
  const typed = data.map((c) => `cast(${quoteIdent(c.name)} as ${duckdbType(c.type)}) as ${quoteIdent(c.name)}`).join(", ");
  const on = table.key.map((k) => `t.${quoteIdent(k)} = s.${quoteIdent(k)}`).join(" and ");
  const changed = `(${data.map((c) => `t.${quoteIdent(c.name)}`).join(", ")}) is distinct from (${data.map((c) => `s.${quoteIdent(c.name)}`).join(", ")})`;
  await db.run(`create or replace temp table ${stage} (${data.map((c) => `${quoteIdent(c.name)} varchar`).join(", ")})`);
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
  const rows = parsed.rows.length;
  return {
    file, source: table.source, status: "loaded", rows, inserted, updated, unchanged: rows - inserted - updated,
    missing: parsed.missing, rejected: parsed.rejected, repaired: parsed.repaired,
  };
}
