import { vi } from "vitest";
import { main } from "../../orchestrator/cli/main";

/** Runs the vwatch CLI in-process with the given arguments: its exit code and what it printed on stdout and stderr. */
export async function runCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c) => (out.push(String(c)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c) => (err.push(String(c)), true));
  try {
    const code = await main(args);
    return { code, out: out.join(""), err: err.join("") };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

/** The exit code of a CLI run whose output the test does not read (captured, so it does not flood the test log). */
export async function runCliCode(args: string[]): Promise<number> {
  return (await runCli(args)).code;
}
