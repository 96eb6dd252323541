/**
 * Each action's last known status, for the lineage diagram's colours: from the newest run in the
 * run ledger (vwatch_runs.actions), else from the home folder's run_results.json (a CLI run not
 * written to the ledger yet); empty when nothing ran. Keys are action names as runs record them
 * (`database.schema.name`).
 */
import { listRuns, type Sql } from "../ledger/runs";
import { readResults } from "../run/results";

export async function lastStatus(sql: Sql, home: string): Promise<Map<string, string>> {
  const [newest] = await listRuns(sql, { limit: 1 });
  const actions = newest?.actions ?? readResults(home)?.actions ?? [];
  return new Map(actions.map((a) => [a.name, a.status]));
}
