#!/usr/bin/env node
// The vwatch CLI. The orchestrator is TypeScript, loaded through bin/ts-require.js (transpiled once
// per edit and cached; type checking is `npm run typecheck`).

// The BigQuery → DuckDB translator is a large WebAssembly module. By default V8 also recompiles
// its hot functions with its optimizing compiler on background threads, which in a command that
// translates a few dozen statements costs ~2 s of CPU more than it saves (measured: polyglot start
// and one pass over the project's statements, 3.1 s CPU by default, 1.2 s with baseline code only).
require("v8").setFlagsFromString("--liftoff-only");
require("./ts-require");
require("../orchestrator/cli/main")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
