/**
 * Runs whose transform phase was a workflow invocation of the Dataform service (its completion
 * log entry, envelope.ts, names the run by the invocation; a served run with `where: "dataform"`
 * is in the run ledger as ran on dataform): their sync and check read the tables
 * where the service built them, in BigQuery with the release config's overrides from vwatch.yaml,
 * not on the server's own warehouse. Each such phase opens a session of its own and closes it.
 */
import { cloudBigQueryConfig } from "../cloud/release-overrides";
import type { DeploySettings } from "../cloud/settings";
import { Session } from "../run/session";
import type { Phase } from "./event";
import { ledger } from "./ledger";
import { getRun } from "../ledger/runs";
import type { PhaseWork } from "./phases";

const INVOCATION = /^projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/]+\/workflowInvocations\/[^/]+$/;

/** True when the run is a Dataform workflow invocation (its full resource name). */
export function isDataformRun(runId: string): boolean {
  return INVOCATION.test(runId);
}

/** An invocation's name, or a run the ledger says ran on the Dataform service. */
async function ranOnDataform(session: Session, runId: string): Promise<boolean> {
  if (isDataformRun(runId)) return true;
  return (await getRun(await ledger(session), runId))?.ranOn === "dataform";
}

/**
 * The phases' work, each run of a Dataform invocation done in a session on the release's BigQuery
 * tables; other runs keep the server's session. Without vwatch.yaml there is no release: unchanged.
 */
export function onReleaseTables(work: Record<Phase, PhaseWork>, settings: DeploySettings | undefined): Record<Phase, PhaseWork> {
  if (!settings) return work;
  const wrap =
    (w: PhaseWork): PhaseWork =>
    async (session, run) => {
      if (!(await ranOnDataform(session, run.runId))) return w(session, run);
      const release = new Session(cloudBigQueryConfig(session.config, settings), session.hooks);
      try {
        return await w(release, run);
      } finally {
        await release.close();
      }
    };
  return { transform: wrap(work.transform), sync: wrap(work.sync), check: wrap(work.check) };
}
