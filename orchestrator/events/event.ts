/**
 * A phase's completion event: the daily pipeline's phases run transform → sync → check, and each
 * one's completion is published (Pub/Sub in production, the in-process bus locally) and delivered
 * to the push handler, which starts the next phase. Validated with zod wherever one is read.
 */
import { z } from "zod";

export const PHASES = ["transform", "sync", "check"] as const;
export type Phase = (typeof PHASES)[number];

/** How a phase ended. `skipped`: an earlier phase of the run did not succeed. */
export const PHASE_STATUSES = ["succeeded", "failed", "skipped"] as const;
export type PhaseStatus = (typeof PHASE_STATUSES)[number];

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const phaseEventSchema = z
  .object({
    phase: z.enum(PHASES),
    runId: z.string().min(1).max(200),
    correlationId: z.string().min(1).max(200),
    asOf: z
      .string()
      .regex(DAY, "must be a day YYYY-MM-DD")
      .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), "must be a real date")
      .nullable(),
    status: z.enum(PHASE_STATUSES),
    counts: z.record(z.string(), z.number().finite()).default({}),
  })
  .strict();

export type PhaseEvent = z.infer<typeof phaseEventSchema>;

/** The phase after this one, or undefined after the last. */
export function nextPhase(phase: Phase): Phase | undefined {
  return PHASES[PHASES.indexOf(phase) + 1];
}

/** The phases after this one. */
export function laterPhases(phase: Phase): Phase[] {
  return PHASES.slice(PHASES.indexOf(phase) + 1);
}

/** The phase before this one, or undefined for the first. */
export function previousPhase(phase: Phase): Phase | undefined {
  const i = PHASES.indexOf(phase);
  return i > 0 ? PHASES[i - 1] : undefined;
}

/** A payload as a PhaseEvent, or the one-line list of what is wrong with it (each field named). */
export function parsePhaseEvent(value: unknown): { event: PhaseEvent } | { problem: string } {
  const result = phaseEventSchema.safeParse(value);
  if (result.success) return { event: result.data };
  return { problem: result.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ") };
}
