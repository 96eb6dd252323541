#!/usr/bin/env node
// The vwatch CLI. The orchestrator is TypeScript, loaded through bin/ts-require.js (transpiled once
// per edit and cached; type checking is `npm run typecheck`). The translator sets V8 to compile its
// WebAssembly with the baseline compiler only (translate/translate.ts says why).
require("./ts-require");
require("../orchestrator/cli/main")
  .main(process.argv.slice(2))
  .then((code) => {
    // Exit once stdout and stderr have drained: on a pipe they are written asynchronously, and
    // exiting at once would cut a long --json answer off at the pipe's buffer size (64 KiB).
    let open = 2;
    const done = () => --open === 0 && process.exit(code);
    process.stdout.write("", done);
    process.stderr.write("", done);
  });
