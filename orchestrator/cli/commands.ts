import type { Command } from "commander";

/** Every subcommand registers itself here; one file per command under commands/. */
export const commands: ((program: Command) => void)[] = [];
