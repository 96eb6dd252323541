import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { InputError, VwatchError, WarehouseError } from "../errors";
import { openDuckdb } from "../warehouse/duckdb/adapter";
import { duckdbSchema, duckdbSchemaName, duckdbTableName, quoteIdent } from "../sql/duckdb-names";
import { materialize, type Materialized } from "./decompress";
import { duckdbType } from "../sql/types";
import { GDELT_TABLES, PARTITION_COLUMN, gdeltFileName, gdeltFileTime, gdeltKindOf, type FileTime, type GdeltKind, type GdeltTable } from "./gdelt-schema";
import { stage, typedSelect } from "./gdelt-stage";
import { ensureLedger, findLoaded, forgetKind, loadedNames, recordLoaded, type LedgerEntry } from "./ledger";
import { checkAgainstManifest, type Manifest } from "./manifest";
import { rollback, storageFailure, withCleanup } from "./transaction";

/**
 * Loads raw GDELT 2.0 files into the local source tables, with BigQuery's column names and types.
 *
 * Per file: decompress to a temporary plain file (hashing it), read it with DuckDB's CSV reader
 * as text, validate every row in SQL, then insert the typed rows and a ledger row in one
 * transaction. Each file is all or nothing and the files are independent: a bad file is
 * reported in its result and the others still load. A failing warehouse or temp folder (a full
 * disk) stops the load with a WarehouseError, the file being loaded left out.
 *
 * A file's rows are the rows of its kind stamped with the time in its name (DATEADDED for
 * events, MentionTimeDate for mentions; GDELT stamps every row of a file so), and the loader
 * refuses a row that disagrees with its file's name or a file whose time other files' rows
 * already hold. That is what lets `replace` swap the rows of an earlier copy for a new one.
 */
export interface LoadGdeltOptions {
  /** Force the file kind instead of taking it from the name. */
  kind?: GdeltKind;
  /** Where decompressed copies go (default: the OS temp folder). */
  tmpDir?: string;
  /** Replace the rows an earlier, different copy of the same file name loaded. */
  replace?: boolean;
  /** Refuse files this list (GDELT's masterfilelist.txt) does not list with their size and MD5. */
  manifest?: Manifest;
  /** Called after each file, e.g. for progress. */
  onFile?: (result: FileLoadResult) => void;
}

export interface FileLoadResult {
  /** The file as given. */
  file: string;
  /** The GDELT name, without .gz/.zip: the ledger key. */
  name: string;
  /** Undefined when neither --kind nor the name tells it. */
  kind?: GdeltKind;
  status: "loaded" | "replaced" | "skipped" | "failed";
  /** Rows inserted (loaded, replaced) or rows already present from the earlier load (skipped). */
  rows: number;
  sha256?: string;
  /** Why a file was skipped, or what a replacement replaced. */
  reason?: string;
  /** Why a file failed: one line naming it. */
  error?: string;
}

export async function loadGdeltFiles(db: DuckDBConnection | string, files: string[], opts: LoadGdeltOptions = {}): Promise<FileLoadResult[]> {
  if (typeof db === "string") {
    const warehouse = await openDuckdb(db);
    return withCleanup(() => loadGdeltFiles(warehouse.connection, files, opts), () => warehouse.close());
  }
  const kinds = files.map((file) => opts.kind ?? gdeltKindOf(file));
  try {
    await ensureLedger(db);
    for (const kind of new Set(kinds.filter((k) => k !== undefined))) {
      // Rows of a dropped table are gone: forget the ledger entries that claimed them.
      if (await ensureGdeltTable(db, GDELT_TABLES[kind])) await forgetKind(db, kind);
    }
  } catch (e) {
    throw new WarehouseError(`preparing the GDELT tables failed: ${(e as Error).message}`, { cause: e });
  }
  const tmpDir = fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), "vwatch-load-"));
  const results: FileLoadResult[] = [];
  try {
    for (const [i, file] of files.entries()) {
      const result = await loadOne(db, file, kinds[i], tmpDir, opts);
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

/** One file's result; bad input is a "failed" result, anything else is thrown. */
async function loadOne(db: DuckDBConnection, file: string, kind: GdeltKind | undefined, tmpDir: string, opts: LoadGdeltOptions): Promise<FileLoadResult> {
  const name = gdeltFileName(file);
  try {
    if (!fs.existsSync(file)) throw new InputError(`${file}: no such file`);
    if (!kind) throw new InputError(`${file}: cannot tell the GDELT file type from its name (expected *.export.CSV or *.mentions.CSV, optionally .gz or .zip)`);
    const time = gdeltFileTime(name);
    if (!time) {
      throw new InputError(
        `${file}: the name does not start with the file's time (GDELT's YYYYMMDDHHMMSS.export.CSV / .mentions.CSV, or YYYYMMDD for a day's file); ` +
          `vwatch tells a file's rows apart by that time, so it loads only files named so`,
      );
    }
    if (opts.manifest) await checkAgainstManifest(opts.manifest, file);
    let content: Materialized;
    try {
      content = await materialize(file, tmpDir);
    } catch (e) {
      if (e instanceof VwatchError) throw e;
      throw new WarehouseError(`${file}: cannot write its decompressed copy in ${tmpDir}: ${(e as Error).message}; free space there or set TMPDIR to another folder`, { cause: e });
    }
    return await withCleanup(
      () => loadContent(db, { file, name, content, table: GDELT_TABLES[kind], time, forcedKind: opts.kind !== undefined }, opts.replace ?? false),
      async () => {
        await db.run("drop table if exists temp.vwatch_stage");
        if (content.temporary) fs.rmSync(content.path, { force: true });
      },
    );
  } catch (e) {
    if (e instanceof InputError) return { file, name, kind, status: "failed", rows: 0, error: e.message };
    if (e instanceof VwatchError) throw e;
    throw storageFailure(`${file}: loading failed`, e);
  }
}

interface Loading {
  file: string;
  name: string;
  content: Materialized;
  table: GdeltTable;
  time: FileTime;
  forcedKind: boolean;
}

async function loadContent(db: DuckDBConnection, f: Loading, replace: boolean): Promise<FileLoadResult> {
  const { file, name, content, table, time } = f;
  const base = { file, name, kind: table.kind, sha256: content.sha256 };
  const earlier = await findLoaded(db, table.kind, name, content.sha256);
  if (earlier?.sha256 === content.sha256) {
    const reason = earlier.name === name ? "already loaded" : `same content already loaded as ${earlier.name}`;
    return { ...base, kind: earlier.kind, status: "skipped", rows: earlier.rows, reason };
  }
  // An earlier copy of this name with other content: replaced on --replace, or when it loaded
  // nothing (an empty download recorded by earlier versions).
  const previous = earlier?.name === name ? earlier : undefined;
  if (previous && previous.kind !== table.kind) {
    throw new InputError(`${file}: ${name} was loaded before as ${previous.kind}, not ${table.kind}; the file was not loaded`);
  }
  if (previous && previous.rows > 0 && !replace) {
    throw new InputError(
      `${file}: ${name} was loaded before (${previous.rows} rows) with different content (sha256 ${previous.sha256.slice(0, 12)}…, now ${content.sha256.slice(0, 12)}…); ` +
        `GDELT files do not change once published, so one copy is damaged. If this one is right (check it with --manifest and GDELT's masterfilelist.txt), ` +
        `replace the earlier rows with: vwatch load gdelt --replace ${file}`,
    );
  }
  const rows = await stage(db, f);
  await checkTimeIsFree(db, f, previous);
  const target = tableName(table);
  const column = quoteIdent(table.partitionFrom);
  await db.run("begin transaction");
  try {
    if (previous) await db.run(`delete from ${target} where ${column} between ${time.first} and ${time.last}`);
    await db.run(`insert into ${target} by name select ${typedSelect(table)} from vwatch_stage`);
    await recordLoaded(db, { name, kind: table.kind, sha256: content.sha256, rows });
    await db.run("commit");
  } catch (e) {
    await rollback(db);
    throw storageFailure(`${file}: loading into ${target} failed`, e, "nothing of it was loaded");
  }
  if (!previous) return { ...base, status: "loaded", rows };
  return { ...base, status: "replaced", rows, reason: `replaced the ${previous.rows} rows of an earlier copy` };
}

/**
 * Refuses a file whose time other files' rows already hold (a day's file and a 15-minute file of
 * that day, or rows loaded by an older vwatch under another name): replacing one would delete the
 * other's rows, and loading both would count them twice.
 */
async function checkTimeIsFree(db: DuckDBConnection, f: Loading, previous: LedgerEntry | undefined): Promise<void> {
  const { table, time } = f;
  const held = Number(
    (await db.runAndReadAll(`select count(*) from ${tableName(table)} where ${quoteIdent(table.partitionFrom)} between ${time.first} and ${time.last}`)).getRows()[0][0],
  );
  const own = previous?.rows ?? 0;
  if (held <= own) return;
  const others = (await loadedNames(db, table.kind)).filter((n) => {
    const t = gdeltFileTime(n);
    return n !== f.name && t !== undefined && t.first <= time.last && t.last >= time.first;
  });
  const from = others.length > 0 ? `loaded from ${others.slice(0, 3).join(", ")}${others.length > 3 ? ", …" : ""}` : "loaded from other files";
  throw new InputError(
    previous
      ? `${f.file}: cannot replace ${f.name}: ${held} ${table.kind} row(s) are stamped ${time.label} but it loaded ${own}; the rest were ${from}, so its own cannot be told apart; the file was not loaded`
      : `${f.file}: the warehouse already holds ${held} ${table.kind} row(s) stamped ${time.label}, ${from}; a file's rows are told apart by their time, so two files cannot share one; the file was not loaded`,
  );
}
