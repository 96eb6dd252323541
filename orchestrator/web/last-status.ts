/**
 * Each action's last known status, for the lineage diagram's colours: from the newest run in the
 * run ledger that ran it (vwatch_runs.actions over the last RUNS_READ runs: a run of a selection
 * leaves the other actions' earlier statuses standing), then, for actions no such run ran, from
 * the home folder's run_results.json (a CLI run not written to the ledger yet); empty when nothing
 * ran. Keys are action names as runs record them (`database.schema.name`).
 */
import { lastStatuses } from "../lineage/status";
import { listRuns, type Sql } from "../ledger/runs";
import { readResults } from "../run/results";

const RUNS_READ = 50;

export async function lastStatus(sql: Sql, home: string): Promise<Map<string, string>> {
  const statuses = lastStatuses(await listRuns(sql, { limit: RUNS_READ }));
  for (const [name, status] of lastStatuses([{ actions: (readResults(home)?.actions ?? []).map((a) => ({ name: a.name, status: a.status })) }])) if (!statuses.has(name)) statuses.set(name, status);
  return statuses;
}
