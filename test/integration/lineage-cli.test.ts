import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { lineageGraph } from "../../orchestrator/lineage/graph";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome } from "../helpers/project";

const graph = lineageGraph(compileProject({ projectDir: repoRoot }));
const edges = graph.edges.map((e) => `${e.from} -> ${e.to}`).sort();
const lineage = (...args: string[]) => runCli(["--home", tempHome(), "lineage", ...args]);

describe("vwatch lineage", () => {
  it("prints a Mermaid flowchart by default: a node line per action, an arrow per dependency", async () => {
    const r = await lineage();
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart LR");
    expect(lines.filter((l) => l.includes(" --> ")).length).toBe(graph.edges.length);
    expect(lines.length).toBe(1 + graph.nodes.length + graph.edges.length);
    expect((await lineage("--format", "mermaid")).out).toBe(r.out);
  });

  it("--format dot prints a digraph with the action names and their dependencies", async () => {
    const r = await lineage("--format", "dot");
    expect(r.code).toBe(0);
    expect([...r.out.matchAll(/^ {2}"([^"]+)" -> "([^"]+)";$/gm)].map((m) => `${m[1]} -> ${m[2]}`).sort()).toEqual(edges);
    expect([...r.out.matchAll(/^ {2}"([^"]+)" \[label=/gm)].map((m) => m[1]).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
  });

  it("--format svg prints a standalone SVG with a node per action and an edge per dependency", async () => {
    const r = await lineage("--format", "svg");
    expect(r.code).toBe(0);
    expect(r.out.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(r.out.trimEnd().endsWith("</svg>")).toBe(true);
    expect([...r.out.matchAll(/<g class="node" data-action="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
    expect([...r.out.matchAll(/<path class="edge" data-from="([^"]+)" data-to="([^"]+)"/g)].map((m) => `${m[1]} -> ${m[2]}`).sort()).toEqual(edges);
  });

  it("--format json prints the nodes (with their details) and edges", async () => {
    const r = await lineage("--format", "json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(JSON.parse(JSON.stringify(graph)));
  });

  it("--actions with --include-deps narrows it to that action, what it reads and the sources", async () => {
    const r = await lineage("--format", "json", "--actions", "stg_gdelt__mentions", "--include-deps");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.out) as typeof graph;
    expect(out.nodes.map((n) => n.name)).toEqual(["gdelt-bq.gdeltv2.eventmentions_partitioned", "venezuelawatch.staging.stg_gdelt__mentions"]);
    expect(out.edges).toEqual([{ from: "gdelt-bq.gdeltv2.eventmentions_partitioned", to: "venezuelawatch.staging.stg_gdelt__mentions" }]);
  });

  it("--out writes the file instead of stdout", async () => {
    const file = path.join(tempHome(), "lineage.mmd");
    const r = await lineage("--out", file);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(fs.readFileSync(file, "utf8")).toBe((await lineage()).out);
    expect(r.err.trim()).toBe(`wrote the lineage (mermaid) to ${file}`);
  });

  it("an unknown --format is a usage error naming the choices (exit 2)", async () => {
    const r = await lineage("--format", "png");
    expect(r.code).toBe(2);
    expect(r.out).toBe("");
    expect(r.err.trim()).toBe('error: --format must be one of mermaid, dot, svg, json, got "png"');
  });

  it("--out into a folder that does not exist is a usage error naming it (exit 2), writing nothing", async () => {
    const folder = path.join(tempHome(), "no-such-folder");
    const r = await lineage("--out", path.join(folder, "lineage.svg"), "--format", "svg");
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe(`error: --out ${path.join(folder, "lineage.svg")}: the folder ${folder} does not exist`);
    expect(fs.existsSync(folder)).toBe(false);
  });

  it("an unknown action is a usage error (exit 2)", async () => {
    const r = await lineage("--actions", "no_such_model");
    expect(r.code).toBe(2);
    expect(r.err.trim()).toBe('error: no action named "no_such_model"; run `vwatch compile` to list the actions');
  });
});
