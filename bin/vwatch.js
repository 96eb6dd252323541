#!/usr/bin/env node
// Runs the TypeScript orchestrator through ts-node (transpile only: type checking is `npm run typecheck`).
require("ts-node").register({ transpileOnly: true, project: require("path").join(__dirname, "..", "tsconfig.json") });
require("../orchestrator/cli/main")
  .main(process.argv.slice(2))
  .then((code) => process.exit(code));
