import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { repoRoot } from "./project";

/**
 * The commands a GitHub Actions workflow runs, and whether each exists in this project. A `run:`
 * script is cut into simple commands (at newlines, `&&`, `||`, `;` and `|`, comments and
 * redirections dropped, `VAR=value` prefixes skipped); each must be an npm command naming an
 * existing script (`npm ci`, `npm test`, `npm start`, `npm run X`) or a vwatch command
 * (`npx vwatch …`, `node bin/vwatch.js …`) whose `--help` exits 0 and shows that very command.
 */
export interface WorkflowCommand {
  where: string;
  text: string;
  words: string[];
}

export function workflowCommands(yamlText: string, where: string): WorkflowCommand[] {
  const doc = parse(yamlText) as { jobs?: Record<string, { steps?: { run?: string; name?: string }[] }> };
  const out: WorkflowCommand[] = [];
  for (const [job, j] of Object.entries(doc?.jobs ?? {})) {
    for (const [i, step] of (j.steps ?? []).entries()) {
      if (typeof step.run !== "string") continue;
      for (const text of simpleCommands(step.run)) out.push({ where: `${where}: jobs.${job}.steps[${i}]`, text, words: words(text) });
    }
  }
  return out;
}

export function simpleCommands(script: string): string[] {
  return script
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.replace(/(^|\s)#.*$/, ""))
    .flatMap((line) => line.split(/&&|\|\||;|\|/))
    .map((c) => c.replace(/\s*\d?>>?\s*(&\d|\S+)/g, "").replace(/\s*<\s*\S+/g, "").replace(/\s+/g, " ").trim())
    .filter(Boolean);
}

function words(text: string): string[] {
  const all = text.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  let i = 0;
  while (i < all.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(all[i])) i++;
  return all.slice(i);
}

const scripts = (): Record<string, string> => JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).scripts ?? {};

/** The problem with one command, or undefined when it exists. */
export function commandProblem(c: WorkflowCommand): string | undefined {
  const [first, ...rest] = c.words;
  const at = `${c.where}: "${c.text}"`;
  if (first === "npm") {
    const [verb, name] = rest;
    if (verb === "ci" || verb === "install") return fs.existsSync(path.join(repoRoot, "package-lock.json")) ? undefined : `${at}: no package-lock.json for npm ci`;
    const script = verb === "test" || verb === "start" ? verb : verb === "run" ? name : undefined;
    if (!script) return `${at}: not an npm command this project uses (ci, test, start, run SCRIPT)`;
    return script in scripts() ? undefined : `${at}: package.json has no script "${script}"`;
  }
  const args = first === "npx" && rest[0] === "vwatch" ? rest.slice(1) : first === "node" && rest[0] === "bin/vwatch.js" ? rest.slice(1) : undefined;
  if (!args) return `${at}: not one of the project's own commands (npm ci/test/start/run, npx vwatch, node bin/vwatch.js)`;
  return vwatchProblem(args, at);
}

/** `vwatch CMD [SUB] --help` must exit 0 and show the usage of that command (commander shows the parent's for an unknown one). */
function vwatchProblem(args: string[], at: string): string | undefined {
  const names = args.filter((a, i) => i < 2 && !a.startsWith("-") && !a.includes("$") && !/^["']/.test(a)).slice(0, 2);
  if (args.length && (args[0].startsWith("-") || !names.length)) return `${at}: no vwatch command named`;
  const help = (cmd: string[]) => {
    try {
      return execFileSync(process.execPath, [path.join(repoRoot, "bin", "vwatch.js"), ...cmd, "--help"], { cwd: repoRoot, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (e) {
      return { failed: `exit ${(e as { status?: number }).status}` };
    }
  };
  const first = help(names.slice(0, 1));
  if (typeof first !== "string") return `${at}: vwatch ${names[0]} --help failed (${first.failed})`;
  if (!first.startsWith(`Usage: vwatch ${names[0]} `)) return `${at}: vwatch has no command "${names[0]}"`;
  // A command with subcommands: the second word must be one of them.
  if (names[1] && /\[command\]/.test(first.split("\n")[0])) {
    const second = help(names);
    if (typeof second !== "string" || !second.startsWith(`Usage: vwatch ${names[0]} ${names[1]} `)) return `${at}: vwatch ${names[0]} has no subcommand "${names[1]}"`;
  }
  return undefined;
}
