#!/usr/bin/env node
// The vwatch CLI. The orchestrator is TypeScript, loaded through bin/ts-require.js (transpiled once
// per edit and cached; type checking is `npm run typecheck`). The translator sets V8 to compile its
// WebAssembly with the baseline compiler only (translate/translate.ts says why).
require("./ts-require");
require("../orchestrator/cli/main")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
