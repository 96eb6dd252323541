import type { Command } from "commander";
import type { Config } from "../config";
import type { Session } from "../run/session";

/** Extensions for a caller that embeds vwatch (tests, later the server): observers of long work. */
export interface MainOptions {
  /** Called after each batch a spike sync writes, inside its transaction (tests pause there). */
  onSyncBatch?: (progress: { batch: number; batches: number; rowsDone: number; rows: number }) => void | Promise<void>;
}

/**
 * What every command gets from main: the program (global options), the caller's extensions, and
 * the way a command reports its exit code: by returning it from its action.
 */
export interface Cli {
  program: Command;
  options: MainOptions;
  /** A command's action: the exit code it returns (0 ok, 1 failed, 2 bad input) becomes main's. */
  action<A extends unknown[]>(fn: (...args: A) => Promise<number>): (...args: A) => Promise<void>;
  /** The configuration of this command: the global flags, and its own --warehouse when it has one. */
  config(warehouse?: string): Promise<Config>;
  /** Runs fn with a new session (the product's hooks registered), closed once fn is done. */
  withSession<T>(config: Config, fn: (session: Session) => Promise<T>): Promise<T>;
}

export function createCli(program: Command, options: MainOptions): Cli & { code: number } {
  const cli = {
    program,
    options,
    code: 0,
    action<A extends unknown[]>(fn: (...args: A) => Promise<number>) {
      return async (...args: A) => {
        cli.code = await fn(...args);
      };
    },
    // The schema validation library loads with the first command that reads the configuration, not for --help.
    config: async (warehouse?: string) => (await import("../config")).loadConfig({ ...program.opts(), warehouse }),
    async withSession<T>(config: Config, fn: (session: Session) => Promise<T>): Promise<T> {
      // Loaded with the first command that needs a session: --help and parse errors compile nothing.
      const [{ withSession }, { productHooks }] = await Promise.all([import("../run/session"), import("../product")]);
      return withSession(config, productHooks, fn);
    },
  };
  return cli;
}
