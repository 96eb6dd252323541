import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { repoRoot } from "../helpers/project";
import { OFFICIAL_TIMEOUT } from "../conformance/official";

const officialCli = path.join(repoRoot, "node_modules", ".bin", "dataform");

function officialCompile(projectDir: string): any {
  const out = execFileSync(officialCli, ["compile", projectDir, "--json", ...OFFICIAL_TIMEOUT], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out);
}

const byName = (graph: any) => {
  const all = [...(graph.tables ?? []), ...(graph.operations ?? []), ...(graph.assertions ?? []), ...(graph.declarations ?? [])];
  return Object.fromEntries(all.map((a) => [`${a.target.database}.${a.target.schema}.${a.target.name}`, a]));
};

describe("compatibility with the official Dataform CLI", () => {
  it("vwatch compile and dataform compile agree on every action", () => {
    const official = byName(officialCompile(repoRoot));
    const ours = byName(JSON.parse(JSON.stringify(compileProject({ projectDir: repoRoot }))));
    expect(Object.keys(ours).sort()).toEqual(Object.keys(official).sort());
    for (const name of Object.keys(official)) expect(ours[name], name).toEqual(official[name]);
  });

  it("a copy installed as the Dataform service installs it (no devDependencies, no scripts) compiles with the official CLI", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-service-"));
    for (const entry of ["definitions", "includes", "workflow_settings.yaml", "package.json", "package-lock.json"]) {
      fs.cpSync(path.join(repoRoot, entry), path.join(dir, entry), { recursive: true });
    }
    execFileSync("npm", ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], { cwd: dir, stdio: "pipe" });
    expect(fs.readdirSync(path.join(dir, "node_modules")).filter((n) => !n.startsWith("."))).toEqual(["@dataform"]);
    const graph = officialCompile(dir);
    expect(graph.graphErrors?.compilationErrors ?? []).toEqual([]);
    expect(graph.tables.map((t: any) => t.target.name)).toContain("mention_spikes");
    fs.rmSync(dir, { recursive: true, force: true });
  }, 300_000);
});
