/**
 * Runs waiting to reach the ledger. A local `vwatch run` that never needed PostgreSQL (no
 * write-back: mention_spikes did not run, --no-sync, an experiment) must not start the embedded
 * server just to write one row (0.5-1 s a run), so it appends its row to <home>/pending_runs.jsonl;
 * the next command that has PostgreSQL open anyway (a run with a write-back, `vwatch runs`,
 * `vwatch serve`, `sync-spikes`) writes them. Writing is idempotent (the row's id is its key), so
 * a flush that dies halfway is simply done again.
 */
import * as fs from "fs";
import * as path from "path";
import { log } from "../log";
import { insertRun, type LedgerRun, type Sql } from "./runs";

export const pendingFile = (home: string) => path.join(home, "pending_runs.jsonl");

/** Appends one finished run to the pending file (one JSON line; an append of a short line is atomic). */
export function appendPending(home: string, run: LedgerRun): void {
  fs.mkdirSync(home, { recursive: true });
  fs.appendFileSync(pendingFile(home), JSON.stringify(run) + "\n");
}

/**
 * Writes the pending runs to the ledger and removes them from the file. The file is first moved
 * aside (a run finishing meanwhile appends to a new file), and the moved file is removed only once
 * every row is written; one left behind by a failed flush is taken up again next time. A line that
 * is not a run (a truncated write) is reported and dropped. The number of runs newly written.
 */
export async function flushPending(home: string, sql: Sql): Promise<number> {
  const file = pendingFile(home);
  const aside = `${file}.flushing`;
  if (fs.existsSync(file)) {
    // Rows of an earlier failed flush are kept: append the new ones to them.
    if (fs.existsSync(aside)) {
      fs.appendFileSync(aside, fs.readFileSync(file));
      fs.unlinkSync(file);
    } else fs.renameSync(file, aside);
  }
  if (!fs.existsSync(aside)) return 0;
  let written = 0;
  const lines = fs.readFileSync(aside, "utf8").split("\n");
  for (const [i, line] of lines.entries()) {
    if (!line.trim()) continue;
    let run: LedgerRun;
    try {
      run = JSON.parse(line) as LedgerRun;
      if (typeof run.id !== "string" || typeof run.status !== "string") throw new Error("no id or status");
    } catch (e) {
      log.warn(`${aside} line ${i + 1} is not a run (${(e as Error).message}); dropped`);
      continue;
    }
    if (await insertRun(sql, run)) written++;
  }
  fs.unlinkSync(aside);
  return written;
}
