/** The body of `POST /runs`, validated: every bad field listed, each with what is wrong. */
import { z } from "zod";

const names = z.array(z.string().min(1, "must not be empty")).min(1, "must name at least one");

export const runBodySchema = z
  .object({
    selection: z
      .object({
        tags: names.optional(),
        actions: names.optional(),
        includeDeps: z.boolean().optional(),
        includeDependents: z.boolean().optional(),
      })
      .strict()
      .optional(),
    vars: z.record(z.string(), z.string()).optional(),
    fullRefresh: z.boolean().optional(),
    /** true: write the spikes back even from an experiment; false: never; absent: as the CLI does. */
    sync: z.boolean().optional(),
    where: z.enum(["local", "bigquery", "dataform"]).optional(),
  })
  .strict();

export type RunBody = z.infer<typeof runBodySchema>;

export interface FieldProblem {
  field: string;
  problem: string;
}

export function parseRunBody(body: unknown): { ok: true; body: RunBody } | { ok: false; problems: FieldProblem[] } {
  const result = runBodySchema.safeParse(body ?? {});
  if (result.success) return { ok: true, body: result.data };
  const problems: FieldProblem[] = [];
  for (const issue of result.error.issues) {
    const base = issue.path.map(String).join(".");
    if (issue.code === "unrecognized_keys") for (const key of issue.keys) problems.push({ field: base ? `${base}.${key}` : key, problem: "unknown field" });
    else problems.push({ field: base || "(body)", problem: issue.message });
  }
  return { ok: false, problems };
}
