import type { DuckDBConnection } from "@duckdb/node-api";
import { quoteIdent } from "../sql/duckdb-names";
import type { GdeltKind } from "./gdelt-schema";

/**
 * The ledger of loaded source files (DuckDB table vwatch.loaded_files): one row per GDELT file
 * name (without .gz/.zip) with the SHA-256 of its decompressed content and its row count, so that
 * loading a file again is a no-op and a changed file under a known name is noticed. Which rows a
 * file loaded is told by the time in its name (gdeltFileTime), not kept here.
 */
const SCHEMA = "vwatch";
const NAME = `${quoteIdent(SCHEMA)}.${quoteIdent("loaded_files")}`;

export interface LedgerEntry {
  name: string;
  kind: GdeltKind;
  sha256: string;
  rows: number;
}

export async function ensureLedger(db: DuckDBConnection): Promise<void> {
  await db.run(`create schema if not exists ${quoteIdent(SCHEMA)}`);
  await db.run(
    `create table if not exists ${NAME} (file_name varchar primary key, kind varchar not null, sha256 varchar not null, ` +
      `"rows" bigint not null, loaded_at timestamptz not null)`,
  );
}

/** The entry with this name, else one of the same kind with the same content. */
export async function findLoaded(db: DuckDBConnection, kind: GdeltKind, name: string, sha256: string): Promise<LedgerEntry | undefined> {
  const reader = await db.runAndReadAll(
    `select file_name, kind, sha256, "rows" from ${NAME} where file_name = $1 or (kind = $2 and sha256 = $3) ` +
      `order by file_name = $1 desc, file_name limit 1`,
    [name, kind, sha256],
  );
  if (reader.currentRowCount === 0) return undefined;
  const [n, k, s, r] = reader.getRows()[0] as [string, GdeltKind, string, bigint];
  return { name: n, kind: k, sha256: s, rows: Number(r) };
}

/** Inside the load transaction; replaces the entry of an earlier copy of the same name. */
export async function recordLoaded(db: DuckDBConnection, entry: LedgerEntry): Promise<void> {
  await db.run(`insert or replace into ${NAME} values ($1, $2, $3, $4, now())`, [entry.name, entry.kind, entry.sha256, entry.rows]);
}

/** Names of the files of a kind loaded before. */
export async function loadedNames(db: DuckDBConnection, kind: GdeltKind): Promise<string[]> {
  const reader = await db.runAndReadAll(`select file_name from ${NAME} where kind = $1 order by file_name`, [kind]);
  return reader.getRows().map((r) => r[0] as string);
}

export async function forgetKind(db: DuckDBConnection, kind: GdeltKind): Promise<void> {
  await db.run(`delete from ${NAME} where kind = $1`, [kind]);
}
