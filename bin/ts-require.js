"use strict";
// Lets Node require the orchestrator's TypeScript: each .ts file is transpiled once with
// TypeScript's transpileModule (types stripped, no type checking: that is `npm run typecheck`)
// and the JavaScript kept in node_modules/.cache/vwatch-ts, one file per source file. A cached
// file is used only when it was made from the same source text, TypeScript version and options,
// so an edited .ts file is transpiled again on its next require and stale code never runs.
// TypeScript itself is loaded only on such a miss: a command whose files are cached pays a hash
// and two reads per file. `npm ci` fills the cache (the package.json `prepare` script).
const crypto = require("crypto");
const fs = require("fs");
const path = require("path");

const root = path.join(__dirname, "..");
const cacheDir = path.join(root, "node_modules", ".cache", "vwatch-ts");
const CACHE_FORMAT = "1";

let ts; // loaded on the first cache miss
let tsVersion;

function typescriptVersion() {
  if (tsVersion === undefined) {
    try {
      tsVersion = JSON.parse(fs.readFileSync(require.resolve("typescript/package.json", { paths: [root] }), "utf8")).version;
    } catch {
      tsVersion = "none";
    }
  }
  return tsVersion;
}

function transpile(source, filename) {
  ts ??= require("typescript");
  return ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      resolveJsonModule: true,
      inlineSourceMap: true,
    },
  }).outputText;
}

/** The JavaScript for one .ts file, from the cache when it was made from this source, else transpiled and cached. */
function javascriptFor(filename) {
  const source = fs.readFileSync(filename, "utf8");
  const key = crypto.createHash("sha1").update(`${CACHE_FORMAT}\0${typescriptVersion()}\0${filename}\0${source}`).digest("hex");
  const header = `// ${key}\n`;
  const cached = path.join(cacheDir, `${crypto.createHash("sha1").update(filename).digest("hex")}.js`);
  try {
    const text = fs.readFileSync(cached, "utf8");
    if (text.startsWith(header)) return text.slice(header.length);
  } catch {
    // not cached yet
  }
  const js = transpile(source, filename);
  try {
    // Written aside and renamed: processes started together never read half a file.
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, header + js);
    fs.renameSync(tmp, cached);
  } catch {
    // A read-only install still runs, transpiling each time.
  }
  return js;
}

// Requiring this file registers the hook (as `node -r ./bin/ts-require.js file.ts` does); stack
// traces point into the .ts source.
process.setSourceMapsEnabled(true);
require.extensions[".ts"] = function (module, filename) {
  if (filename.includes(`${path.sep}node_modules${path.sep}`)) throw new Error(`vwatch does not load TypeScript from node_modules: ${filename}`);
  module._compile(javascriptFor(filename), filename);
};

/** Transpiles every .ts file of the folders into the cache (at install), so the first command starts fast. */
function warm(dirs) {
  let count = 0;
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        javascriptFor(full);
        count++;
      }
    }
  };
  for (const dir of dirs) walk(path.join(root, dir));
  return count;
}

module.exports = { warm };

if (require.main === module && process.argv[2] === "--warm") {
  // `npm ci` runs this. Without TypeScript (an install without devDependencies, as the Dataform
  // service may install this package) there is nothing to run, so nothing to warm.
  try {
    require.resolve("typescript", { paths: [root] });
  } catch {
    process.exit(0);
  }
  warm(["orchestrator", "bench"]);
}
