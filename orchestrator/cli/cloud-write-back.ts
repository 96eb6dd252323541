/**
 * The product's write-back after a run in Google Cloud (`cloud run` on the Dataform service, or
 * `cloud run --via transfer`): mention_spikes is read from BigQuery where the service built it,
 * with the release config's overrides (the same the scheduled queries are rendered with), and
 * written to PostgreSQL as after a local run (the config: cloud/release-overrides.ts).
 */
import type { Config } from "../config";
import type { Selection } from "../plan/select";
import type { RunRecord } from "../run/results";
import type { Cli } from "./context";

/**
 * The product's step after a run (the spikes to PostgreSQL when mention_spikes succeeded, unless
 * `writeBack` is false), then the run recorded in the run ledger: its exit code.
 */
export async function writeBackAfterCloudRun(cli: Cli, config: Config, record: RunRecord, json: boolean, options: { writeBack?: boolean; selection?: Selection } = {}): Promise<number> {
  return cli.withSession(config, async (session) => {
    const code = options.writeBack === false ? 0 : ((await session.hooks.afterRun?.(session, record, { json, writeBack: undefined })) ?? 0);
    const { recordShellRun } = await import("./record-run");
    await recordShellRun(session, record, options.selection ?? {});
    return code;
  });
}
