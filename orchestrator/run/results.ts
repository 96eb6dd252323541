import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import type { ActionResult } from "./run";

export interface RunRecord {
  runId: string;
  startedAt: string;
  finishedAt: string;
  warehouse: string;
  /** The compiled project's defaults, to find output tables after the run. */
  project: { defaultDatabase?: string; defaultSchema?: string; defaultLocation?: string };
  /** The options the run was started with, so `vwatch retry` can repeat them. */
  options: { vars?: Record<string, string>; fullRefresh?: boolean; dryRun?: boolean; acceptVarChange?: string[]; storeFailures?: boolean };
  /** What the run warned about (say as_of fell back to the current date, or an empty focus set). */
  warnings?: string[];
  summary: Record<string, number>;
  actions: ActionResult[];
  /** Fields a product's resolveVars hook recorded (run/hooks.ts), e.g. asOf: the day scored and how it was chosen. */
  [field: string]: unknown;
}

export const resultsFile = (home: string) => path.join(home, "run_results.json");

export function summarise(actions: ActionResult[]): Record<string, number> {
  // `warning` (warning-level assertions that found rows) is there only when there are some.
  const summary: Record<string, number> = { success: 0, failed: 0, skipped: 0, disabled: 0 };
  for (const a of actions) summary[a.status] = (summary[a.status] ?? 0) + 1;
  return summary;
}

export function writeResults(home: string, record: RunRecord): void {
  fs.mkdirSync(home, { recursive: true });
  const file = resultsFile(home);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(record, null, 2) + "\n");
  fs.renameSync(`${file}.tmp`, file);
}

export function readResults(home: string): RunRecord | undefined {
  const file = resultsFile(home);
  if (!fs.existsSync(file)) return undefined;
  try {
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as RunRecord;
    if (!Array.isArray(record?.actions) || typeof record.options !== "object") throw new Error("no actions or options");
    return record;
  } catch (e) {
    throw new InputError(`${file} is not a vwatch run results file (${(e as Error).message}); delete it and run \`vwatch run\``);
  }
}
