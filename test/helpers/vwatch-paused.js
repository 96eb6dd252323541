#!/usr/bin/env node
// `node test/helpers/vwatch-paused.js BATCH <vwatch arguments…>`: the vwatch CLI, in this process,
// with a spike sync that pauses after its batch BATCH (inside its transaction): it prints
// "paused after batch BATCH; SIGCONT resumes" and waits for SIGCONT, so a test can stop, kill
// or starve the sync mid-way. The pause is a callback given to main(), not a switch of the CLI.
require("../../bin/ts-require");
const { main } = require("../../orchestrator/cli/main");
const { log } = require("../../orchestrator/log");

const pauseAfter = Number(process.argv[2]);
main(process.argv.slice(3), {
  onSyncBatch: async ({ batch }) => {
    if (batch !== pauseAfter) return;
    // Listening before saying so: a SIGCONT that arrives before node handles the signal would
    // only resume the process, and the pause would then wait for one forever (seen on a busy machine).
    const resumed = new Promise((resolve) => process.once("SIGCONT", resolve));
    // The timer keeps the process alive while paused, even when the server closes the connection.
    const alive = setInterval(() => undefined, 60_000);
    log.info(`paused after batch ${batch}; SIGCONT resumes`);
    await resumed;
    clearInterval(alive);
  },
}).then((code) => process.exit(code));
