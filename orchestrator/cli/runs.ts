/** `vwatch runs`: the run ledger's newest runs (after writing the runs waiting in the home folder). */
import { InputError } from "../errors";
import { formatTable, log } from "../log";
import type { LedgerRun } from "../ledger/runs";
import type { Cli } from "./context";

const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled", "interrupted"];

/** One run as a table row: id, trigger, where, status, as_of, start, duration, action counts. */
function row(r: LedgerRun): string[] {
  const seconds = r.endedAt ? Math.round((Date.parse(r.endedAt) - Date.parse(r.startedAt)) / 1000) : undefined;
  const counts = new Map<string, number>();
  for (const a of r.actions) counts.set(a.status, (counts.get(a.status) ?? 0) + 1);
  const actions = [...counts].map(([s, n]) => `${n} ${s}`).join(", ");
  return [r.id, r.trigger, r.ranOn, r.status, r.asOf ?? "", r.startedAt.replace(/\.\d+Z$/, "Z"), seconds === undefined ? "" : `${seconds} s`, actions];
}

export function register(cli: Cli): void {
  cli.program
    .command("runs")
    .description("list recent runs from the run ledger in PostgreSQL (CLI, CI and server runs)")
    .option("--limit <n>", "how many (default 20)", "20")
    .option("--status <status>", `only runs with this status (${STATUSES.join(", ")})`)
    .option("--json", "print the runs as JSON")
    .action(
      cli.action(async (opts: { limit: string; status?: string; json?: boolean }) => {
        if (!/^\d{1,4}$/.test(opts.limit) || Number(opts.limit) < 1) throw new InputError(`--limit must be a whole number from 1 to 9999, got "${opts.limit}"`);
        if (opts.status !== undefined && !STATUSES.includes(opts.status)) throw new InputError(`--status must be one of ${STATUSES.join(", ")}, got "${opts.status}"`);
        const config = await cli.config();
        const runs = await cli.withSession(config, async (session) => {
          const [{ openLedger }, { listRuns }] = await Promise.all([import("../ledger/record"), import("../ledger/runs")]);
          const pg = await session.postgres();
          const flushed = await openLedger(pg, config.home);
          if (flushed) log.info(`${flushed} run(s) from the home folder written to the run ledger`);
          return listRuns(pg, { limit: Number(opts.limit), status: opts.status as LedgerRun["status"] | undefined });
        });
        if (opts.json) log.out(JSON.stringify(runs, null, 2));
        else if (!runs.length) log.out("no runs recorded yet");
        else log.out(formatTable(["id", "trigger", "where", "status", "as_of", "started", "took", "actions"], runs.map(row)));
        return 0;
      }),
    );
}
