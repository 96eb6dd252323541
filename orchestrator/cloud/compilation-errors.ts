/** The Dataform service's compilation errors, one line each as `definitions/file.sqlx: message`. Pure. */
import { targetName } from "../compile/graph";
import { CompileError } from "../errors";
import type { CompilationResult } from "./dataform-api";

export function compilationErrorLines(result: CompilationResult): string[] {
  const lines = (result.compilationErrors ?? []).map((e) => {
    const where = e.path || (e.actionTarget?.name ? targetName({ database: e.actionTarget.database || undefined, schema: e.actionTarget.schema || undefined, name: e.actionTarget.name }) : "the project");
    return `${where}: ${String(e.message ?? "").split("\n")[0] || "(no message)"}`;
  });
  return [...new Set(lines)];
}

/** A CompileError (exit 2) listing the service's errors, or undefined when the result compiled. */
export function compilationFailure(result: CompilationResult, source: string): CompileError | undefined {
  const lines = compilationErrorLines(result);
  if (!lines.length) return undefined;
  return new CompileError(
    [`the Dataform service could not compile ${source} (${result.name}):`, ...lines.map((l) => `  ${l}`)].join("\n"),
    (result.compilationErrors ?? []).map((e) => ({ file: e.path || "?", message: e.message ?? "" })),
  );
}
