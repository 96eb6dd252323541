import type { Command } from "commander";
import * as compile from "./compile";
import * as run from "./run";

/** Every subcommand registers itself here; one file per command. */
export const commands: ((program: Command) => void)[] = [compile.register, run.register];
