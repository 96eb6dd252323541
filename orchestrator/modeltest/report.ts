/** `vwatch test` output: a line per case, a diff under a failed one, a summary and the exit code. */
import type { TestResult } from "./run-tests";

export function formatResult(r: TestResult): string {
  if (r.status === "error") return `ERROR ${r.error}`;
  const head = `${r.status === "pass" ? "PASS " : "FAIL "} ${r.file}:${r.line} ${r.model}: ${r.name} (${r.ms.toFixed(0)} ms)`;
  return r.status === "pass" ? head : [head, ...r.diff.map((d) => `  ${d}`)].join("\n");
}

/** 2 when a test file is bad, else 1 when a case failed, else 0. */
export function summary(results: TestResult[], ms: number): { text: string; code: number } {
  const count = (s: TestResult["status"]) => results.filter((r) => r.status === s).length;
  const [pass, fail, error] = [count("pass"), count("fail"), count("error")];
  const parts = [`${pass} passed`, ...(fail ? [`${fail} failed`] : []), ...(error ? [`${error} refused (bad test file)`] : [])];
  const text = results.length ? `${parts.join(", ")} in ${ms.toFixed(0)} ms` : "no model tests found (definitions/**/*.test.yaml)";
  return { text, code: error ? 2 : fail ? 1 : 0 };
}
