import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";

/**
 * The engine knows no product: compile/, plan/, run/, warehouse/, translate/, validate/ and the
 * infrastructure they use (sql/, postgres/) import nothing from the product (PRODUCT below) nor
 * from the CLI, and the product imports nothing from the CLI; the product plugs in through the hooks
 * of run/hooks.ts, registered in product/index.ts. And no import runs back up the engine: each
 * engine folder imports only from the folders before it in LAYERS (the README's Layout). Static
 * imports, re-exports, `import type`, dynamic import() and require() all count.
 */
const ORCHESTRATOR = path.join(__dirname, "..", "..", "orchestrator");
/** The engine's folders, each importing only from itself and those before it. */
const LAYERS = ["compile", "sql", "translate", "postgres", "warehouse", "plan", "validate", "run"];
const PRODUCT = ["load", "sink", "app", "query", "check", "generate", "product", "cloud", "events", "serve", "ledger", "lineage", "fetch", "modeltest", "web", "backfill"];

/** Every .ts file under a folder of orchestrator/, as paths relative to orchestrator/. */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(ORCHESTRATOR, rel), { withFileTypes: true })) {
      const child = path.join(rel, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.name.endsWith(".ts")) out.push(child);
    }
  };
  if (fs.existsSync(path.join(ORCHESTRATOR, folder))) walk(folder);
  return out;
}

/** The module specifiers a file imports: `import … from`, `export … from`, `import "…"`, `import(…)`, `require(…)`. */
export function importsOf(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s[^;'"`]*?\bfrom\s*["']([^"']+)["']/g, /\bimport\s*["']([^"']+)["']/g, /\bimport\s*\(\s*["']([^"']+)["']\s*\)/g, /\brequire\s*\(\s*["']([^"']+)["']\s*\)/g];
  for (const p of patterns) for (const m of code.matchAll(p)) found.push(m[1]);
  return found;
}

/** The top folder under orchestrator/ that a relative import from `file` lands in ("" for a file at the top, undefined for a package). */
function targetFolder(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith(".")) return undefined;
  const resolved = path.normalize(path.join(path.dirname(file), specifier));
  if (resolved.startsWith("..")) return undefined;
  const parts = resolved.split(path.sep);
  return parts.length > 1 ? parts[0] : resolved.replace(/\.ts$/, "");
}

/** "file imports specifier (…)" for every import of a folder's files into one of `forbidden`. */
function violations(folders: string[], forbidden: string[]): string[] {
  const out: string[] = [];
  for (const folder of folders) {
    for (const file of sources(folder)) {
      for (const specifier of importsOf(fs.readFileSync(path.join(ORCHESTRATOR, file), "utf8"))) {
        const target = targetFolder(file, specifier);
        if (target !== undefined && forbidden.includes(target)) out.push(`orchestrator/${file} imports "${specifier}" (orchestrator/${target}/)`);
      }
    }
  }
  return out;
}

describe("the import rule", () => {
  it("reads static, type, re-export, dynamic and require imports, not comments", () => {
    const text = `import { a } from "../load/a";\nimport type { B } from "../sink/b";\nexport { c } from "../app/c";\nimport "../check/d";\nconst e = await import("../query/e");\nrequire("../generate/f");\n// import { g } from "../product/g";\n/* import("../load/h") */`;
    expect(importsOf(text)).toEqual(["../load/a", "../sink/b", "../app/c", "../check/d", "../query/e", "../generate/f"]);
  });

  it("the engine imports nothing from the product or the CLI", () => {
    expect(sources("run").length).toBeGreaterThan(0);
    const found = violations(LAYERS, [...PRODUCT, "cli"]);
    expect(found, `the engine must not import product code; plug it in through a hook (orchestrator/run/hooks.ts) registered in orchestrator/product/index.ts:\n${found.join("\n")}`).toEqual([]);
  });

  it("the product imports nothing from the CLI (commands parse, call and print; what they share lives in the product)", () => {
    const found = violations(PRODUCT, ["cli"]);
    expect(found, `move what these imports need out of cli/:\n${found.join("\n")}`).toEqual([]);
  });

  it("no engine folder imports from a folder after it (compile → sql → translate → postgres → warehouse → plan → validate → run)", () => {
    const found = LAYERS.flatMap((folder, i) => violations([folder], LAYERS.slice(i + 1)));
    expect(found, `these imports run back up the engine's layers (${LAYERS.join(" → ")}):\n${found.join("\n")}`).toEqual([]);
  });
});
