/**
 * What each phase does: transform runs the SQLX actions (run/execute.ts, on the session's
 * warehouse), sync writes the spikes to PostgreSQL (sink/run-sync.ts), check measures the Vertex AI
 * training data (check/vertex.ts). Each returns how it ended and its counts; a fault that may pass
 * is thrown (see transient.ts). Heavy modules load only when a phase runs.
 */
import type { Session } from "../run/session";
import type { Phase, PhaseStatus } from "./event";

export interface PhaseOutcome {
  status: Exclude<PhaseStatus, "skipped">;
  counts: Record<string, number>;
  /** Why it failed, one line. */
  error?: string;
  /** The day the run scored when the trigger did not say (transform pins it: product/as-of.ts). */
  asOf?: string;
}

/** The work of one phase for one run. */
export type PhaseWork = (session: Session, run: { runId: string; asOf: string | null }) => Promise<PhaseOutcome>;

const TRAINING_TABLE = "entity_risk_training_data";

const asOfVars = (asOf: string | null) => (asOf ? { as_of: asOf } : undefined);

async function transform(session: Session, { asOf }: { asOf: string | null }): Promise<PhaseOutcome> {
  const { executeRun } = await import("../run/execute");
  const record = await executeRun(session, { vars: asOfVars(asOf) });
  const { summary } = record;
  const failed = record.actions.filter((a) => a.status === "failed");
  return {
    status: failed.length ? "failed" : "succeeded",
    counts: { ...summary },
    ...(record.options.vars?.as_of ? { asOf: record.options.vars.as_of } : {}),
    ...(failed.length ? { error: `${failed.length} action(s) failed: ${failed.map((a) => a.name).join(", ")}` } : {}),
  };
}

async function sync(session: Session, { asOf }: { asOf: string | null }): Promise<PhaseOutcome> {
  const { runSync } = await import("../sink/run-sync");
  const r = await runSync(session, { vars: asOfVars(asOf) });
  return { status: "succeeded", counts: { read: r.read, inserted: r.inserted, alreadyPresent: r.alreadyPresent } };
}

async function check(session: Session): Promise<PhaseOutcome> {
  const { evaluate, measureTrainingData } = await import("../check/vertex");
  const graph = session.graph();
  const table = (graph.tables ?? []).find((t) => t.target.name === TRAINING_TABLE);
  if (!table) return { status: "failed", counts: {}, error: `the project has no model ${TRAINING_TABLE}` };
  const report = evaluate(await measureTrainingData(await session.warehouse(), table.target, graph.projectConfig));
  const count = (s: string) => report.requirements.filter((r) => r.status === s).length;
  const failed = report.requirements.filter((r) => r.status === "fail");
  return {
    status: report.passed ? "succeeded" : "failed",
    counts: { requirements: report.requirements.length, passed: count("pass"), warned: count("warn"), failed: failed.length },
    ...(failed.length ? { error: `Vertex AI requirements not met: ${failed.map((r) => `${r.requirement} (${r.measured})`).join("; ")}` } : {}),
  };
}

export const DEFAULT_WORK: Record<Phase, PhaseWork> = { transform, sync, check };
