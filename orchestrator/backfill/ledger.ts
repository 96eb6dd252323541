/**
 * The backfill ledger: which days of a backfill are done, in the home folder's backfills.json.
 * A backfill is identified by what makes its days the same work (the warehouse, the range, the
 * actions each day runs and the vars); a rerun of the same backfill continues after the days
 * recorded. A day is recorded only after it succeeded, and the file is replaced whole (written
 * aside, then renamed), so a kill leaves either the old list or the new one, never a torn file.
 * It lives next to the local warehouse it describes; a missing or lost file only means days run
 * again, which merges the same rows (each day's run is idempotent).
 */
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";

export interface BackfillKey {
  warehouse: string;
  project?: string;
  from: string;
  to: string;
  /** The actions a day runs, sorted. */
  actions: string[];
  /** The vars given (as_of aside), sorted by name. */
  vars: Record<string, string>;
}

interface Entry extends BackfillKey {
  done: string[];
  updatedAt: string;
}

interface LedgerFile {
  backfills: Record<string, Entry>;
}

export const ledgerFile = (home: string) => path.join(home, "backfills.json");

export function keyOf(key: BackfillKey): string {
  const vars = Object.fromEntries(Object.entries(key.vars).sort(([a], [b]) => (a < b ? -1 : 1)));
  const text = JSON.stringify([key.warehouse, key.project ?? "", key.from, key.to, [...key.actions].sort(), vars]);
  return `${key.from}..${key.to}:${createHash("sha256").update(text).digest("hex").slice(0, 16)}`;
}

function read(home: string): LedgerFile {
  const file = ledgerFile(home);
  if (!fs.existsSync(file)) return { backfills: {} };
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as LedgerFile;
    if (typeof parsed?.backfills !== "object" || parsed.backfills === null) throw new Error("no backfills");
    return parsed;
  } catch (e) {
    throw new InputError(`${file} is not a vwatch backfill ledger (${(e as Error).message}); delete it (its backfills then start over) or pass --restart`);
  }
}

function write(home: string, ledger: LedgerFile): void {
  fs.mkdirSync(home, { recursive: true });
  const file = ledgerFile(home);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(ledger, null, 2) + "\n");
  fs.renameSync(`${file}.tmp`, file);
}

/** The days of this backfill recorded done. */
export function doneDays(home: string, key: BackfillKey): Set<string> {
  return new Set(read(home).backfills[keyOf(key)]?.done ?? []);
}

/** Forgets this backfill's days (--restart). */
export function forget(home: string, key: BackfillKey): void {
  if (!fs.existsSync(ledgerFile(home))) return;
  const ledger = read(home);
  delete ledger.backfills[keyOf(key)];
  write(home, ledger);
}

/** Records a day done (after it succeeded). */
export function recordDay(home: string, key: BackfillKey, day: string, now = new Date()): void {
  const ledger = read(home);
  const id = keyOf(key);
  const entry = ledger.backfills[id] ?? { ...key, actions: [...key.actions].sort(), done: [], updatedAt: "" };
  if (!entry.done.includes(day)) entry.done = [...entry.done, day].sort();
  entry.updatedAt = now.toISOString();
  ledger.backfills[id] = entry;
  write(home, ledger);
}
