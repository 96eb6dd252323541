#!/usr/bin/env node
// The vwatch CLI. The orchestrator is TypeScript, loaded through bin/ts-require.js (transpiled once
// per edit and cached; type checking is `npm run typecheck`).
require("./ts-require");
require("../orchestrator/cli/main")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
