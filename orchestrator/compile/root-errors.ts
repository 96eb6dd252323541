/**
 * @dataform/core reports one broken file many times over: every file that refs it gets "Could not
 * resolve" once per ref, and again as "Missing dependency detected". For people, each root error
 * is shown once, and the files failing only because another file did not compile share one line.
 */
import * as path from "path";

export interface CoreError {
  fileName?: string;
  message?: string;
  stack?: string;
}

const UNRESOLVED = /^Could not resolve "([^"]+)"$/;
const MISSING = /^Missing dependency detected: Action "[^"]*" depends on "(\{.*\})" which does not exist$/;

/** The name a "Could not resolve" or "Missing dependency" error is about (its last dotted part), if it is one. */
function missingName(message: string): { name: string; unresolved: boolean } | undefined {
  const unresolved = UNRESOLVED.exec(message);
  if (unresolved) return { name: unresolved[1].split(".").pop()!, unresolved: true };
  const missing = MISSING.exec(message);
  if (!missing) return undefined;
  try {
    return { name: String(JSON.parse(missing[1]).name), unresolved: false };
  } catch {
    return undefined;
  }
}

/**
 * The lines to print, given each error's location (`file` or `file:line`). A missing name is
 * blamed on a file that failed by itself when that file is named after it (file name = action
 * name, as in this project); otherwise it is a root error of its own (a typo in a ref).
 */
export function rootErrorLines(errors: CoreError[], where: (e: CoreError) => string): string[] {
  const failedFiles = new Map<string, string>(); // action name → file, for files with an error of their own
  for (const e of errors) {
    if (e.fileName && !missingName(e.message ?? "")) failedFiles.set(path.basename(e.fileName).replace(/\.(sqlx|js)$/, ""), e.fileName);
  }
  const lines: string[] = [];
  const readers = new Map<string, Set<string>>(); // missing name → files reading it
  const resolvedIn = new Set<string>(); // `${file}\0${name}` with a "Could not resolve"
  for (const e of errors) {
    const missing = missingName(e.message ?? "");
    if (missing?.unresolved) resolvedIn.add(`${e.fileName}\0${missing.name}`);
  }
  for (const e of errors) {
    const missing = missingName(e.message ?? "");
    // Core says "Missing dependency" again for a file that already could not resolve the name.
    if (missing && !missing.unresolved && resolvedIn.has(`${e.fileName}\0${missing.name}`)) continue;
    if (missing && failedFiles.has(missing.name)) {
      readers.set(missing.name, (readers.get(missing.name) ?? new Set()).add(e.fileName ?? "?"));
      continue;
    }
    const line = `${where(e)}: ${e.message}`;
    if (!lines.includes(line)) lines.push(line);
  }
  for (const [name, files] of readers) lines.push(`${[...files].join(", ")}: cannot resolve "${name}" until ${failedFiles.get(name)} compiles`);
  return lines;
}
