#!/usr/bin/env node
// `node test/helpers/vwatch-modules.js <vwatch arguments…>`: runs the vwatch CLI in this process,
// then prints on its last stdout line `MODULES ["pkg", …]`: the packages under node_modules it
// loaded, so a test can check that a command did not load what it does not need.
require("../../bin/ts-require");
const { main } = require("../../orchestrator/cli/main");

main(process.argv.slice(2)).then((code) => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const m = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file.slice(file.lastIndexOf("node_modules") - 1));
    if (m) packages.add(m[1].replace(/\\/g, "/"));
  }
  process.stdout.write(`\nMODULES ${JSON.stringify([...packages].sort())}\n`);
  process.exit(code);
});
