import * as fs from "fs";
import * as path from "path";
import { Command } from "commander";
import { CloudError, VwatchError } from "../errors";
import { log } from "../log";
import { commands } from "./commands";
import { createCli, type MainOptions } from "./context";

export type { MainOptions };

/**
 * Exit codes: 0 ok, 1 an action, assertion or check failed (or a runtime fault), 2 bad input or
 * configuration. Each command returns its code; an error is mapped to one here.
 */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const program = new Command("vwatch")
    .description("VenezuelaWatch Analytics: compile and run the Dataform project locally (DuckDB) or on BigQuery")
    .option("--home <dir>", "folder for local state (DuckDB file, run results, embedded PostgreSQL); default .vwatch or $VWATCH_HOME")
    .option("--project-dir <dir>", "the Dataform project to use (default: this repository)")
    .option("-q, --quiet", "print only the final summary line, warnings and errors")
    .version(packageVersion(), "-V, --version", "print the version")
    .showHelpAfterError("(vwatch --help lists the commands; vwatch COMMAND --help its options)")
    .exitOverride();
  program.hook("preAction", (cmd) => log.setQuiet(Boolean(cmd.opts().quiet)));
  const cli = createCli(program, options);
  for (const register of commands) register(cli);
  try {
    await program.parseAsync(argv, { from: "user" });
    return cli.code;
  } catch (e) {
    return reportError(e);
  }
}

/** Prints an error the way a user should see it and returns the exit code. */
export function reportError(e: unknown): number {
  const err = e as { code?: string; exitCode?: number; message?: string };
  if (typeof err.code === "string" && err.code.startsWith("commander.")) {
    return err.code === "commander.helpDisplayed" || err.code === "commander.version" ? 0 : 2;
  }
  if (e instanceof VwatchError) {
    log.error(e.message);
    if (e instanceof CloudError) return e.isSetup ? 2 : 1;
    return e.code === "CONFIG" || e.code === "INPUT" || e.code === "COMPILE" ? 2 : 1;
  }
  // The system refusing a file operation (disk full, permission denied): one line, no stack.
  const sys = e as { code?: unknown; syscall?: unknown; path?: unknown; message?: string };
  if (typeof sys.code === "string" && typeof sys.syscall === "string") {
    const what = /^[A-Z]+: ([^,]+)/.exec(sys.message ?? "")?.[1] ?? sys.message;
    log.error(`${typeof sys.path === "string" ? `${sys.path}: ` : ""}${what} (${sys.code})`);
    return 1;
  }
  log.error(`${(e as Error)?.stack ?? String(e)}\nthis is a bug in vwatch: please report it with the command you ran and the lines above`);
  return 1;
}

function packageVersion(): string {
  return JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")).version;
}
