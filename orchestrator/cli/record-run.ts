/** The CLI's part in the run ledger: every real run it makes is recorded (see ledger/record.ts for when and where). */
import type { Selection } from "../plan/select";
import type { RunRecord } from "../run/results";
import type { Session } from "../run/session";

export async function recordShellRun(session: Session, record: RunRecord, selection: Selection): Promise<void> {
  if (record.options.dryRun) return;
  const [{ recordRun, shellTrigger }, { fromRecord }] = await Promise.all([import("../ledger/record"), import("../ledger/from-record")]);
  await recordRun(session, fromRecord(record, { trigger: shellTrigger(), selection }));
}
