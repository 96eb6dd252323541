import type { Command } from "commander";
import * as compile from "./compile";
import * as explain from "./explain";
import * as generate from "./generate";
import * as load from "./load";
import * as run from "./run";
import * as start from "./start";
import * as sync from "./sync";

/** Every subcommand registers itself here; one file per command. */
export const commands: ((program: Command) => void)[] = [compile.register, run.register, explain.register, load.register, generate.register, start.register, sync.register];
