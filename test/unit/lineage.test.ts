import * as path from "path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import type { CompiledGraph } from "../../orchestrator/compile/graph";
import { targetName } from "../../orchestrator/compile/graph";
import { renderDot } from "../../orchestrator/lineage/dot";
import { lineageGraph } from "../../orchestrator/lineage/graph";
import { layoutGraph } from "../../orchestrator/lineage/layout";
import { renderMermaid } from "../../orchestrator/lineage/mermaid";
import { lastStatuses, nodeStatus } from "../../orchestrator/lineage/status";
import { renderSvg } from "../../orchestrator/lineage/svg";
import { selectActions } from "../../orchestrator/plan/select";

const compiled = compileProject({ projectDir: path.join(__dirname, "..", "..") });
const graph = lineageGraph(compiled);
const actions = [...(compiled.declarations ?? []), ...(compiled.tables ?? []), ...(compiled.operations ?? []), ...(compiled.assertions ?? [])];
/** Every dependency of the compiled graph as "from -> to", read straight from dependencyTargets. */
const dependencies = new Set(actions.flatMap((a) => (a.dependencyTargets ?? []).map((d) => `${targetName(d)} -> ${targetName(a.target)}`)));
const V = "venezuelawatch";
const node = (name: string) => graph.nodes.find((n) => n.name === name)!;
const attrs = (svg: string, re: RegExp) => [...svg.matchAll(re)].map((m) => m.slice(1).join(" -> "));

/** A hand-made graph: two actions named `a` in different schemas, and names that need escaping. */
const tricky: CompiledGraph = {
  projectConfig: {},
  declarations: [{ target: { database: "p", schema: "raw", name: 'src"<&>' } }],
  tables: [
    { target: { database: "p", schema: "s1", name: "a" }, enumType: "TABLE", dependencyTargets: [{ database: "p", schema: "raw", name: 'src"<&>' }] },
    { target: { database: "p", schema: "s2", name: "a" }, enumType: "VIEW", dependencyTargets: [{ database: "p", schema: "s1", name: "a" }] },
  ],
  operations: [{ target: { database: "p", schema: "s2", name: "op" }, queries: ["delete from x", "insert into x select 1"], dependencyTargets: [{ database: "p", schema: "s2", name: "a" }] }],
};

describe("the lineage graph of the project", () => {
  it("has one node per compiled action, named database.schema.name as plan names them", () => {
    expect(graph.nodes.map((n) => n.name).sort()).toEqual(actions.map((a) => targetName(a.target)).sort());
    expect(new Set(graph.nodes.map((n) => n.name)).size).toBe(graph.nodes.length);
  });

  it("has exactly one edge per dependency, from the upstream action to the one that reads it", () => {
    expect(graph.edges.map((e) => `${e.from} -> ${e.to}`).sort()).toEqual([...dependencies].sort());
    expect(graph.edges.length).toBe(dependencies.size);
  });

  it("marks each action's type, file, tags, columns and compiled SQL", () => {
    expect(node(`gdelt-bq.gdeltv2.events_partitioned`)).toMatchObject({ type: "declaration", label: "events_partitioned", file: "definitions/sources/gdelt/events_partitioned.sqlx" });
    expect(node(`gdelt-bq.gdeltv2.events_partitioned`).sql).toBeUndefined();
    expect(node(`${V}.staging.stg_gdelt__events`).type).toBe("view");
    expect(node(`${V}.intermediate.int_focus_events`).type).toBe("table");
    const spikes = node(`${V}.analytics.mention_spikes`);
    expect(spikes).toMatchObject({ type: "incremental", label: "mention_spikes", file: "definitions/outputs/mention_spikes.sqlx", tags: ["mentions"] });
    expect(spikes.columns.map((c) => c.name)).toEqual(["event_id", "spike_date", "mention_count", "baseline_avg", "baseline_stddev", "z_score", "confidence_level", "baseline_days", "detected_at"]);
    expect(spikes.columns[0]).toEqual({ name: "event_id", description: "GLOBALEVENTID." });
    expect(spikes.sql).toContain("from `venezuelawatch.intermediate.int_mention_baselines`");
    expect(spikes.upstream).toEqual([`${V}.intermediate.int_mention_baselines`]);
    expect(spikes.downstream.sort()).toEqual([`${V}.analytics_assertions.analytics_mention_spikes_assertions_rowConditions`, `${V}.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0`]);
    expect(node(`${V}.analytics_assertions.analytics_mention_spikes_assertions_uniqueKey_0`).type).toBe("assertion");
  });

  it("a selection keeps the selected actions, the edges between them and the declarations they read", () => {
    const only = lineageGraph(compiled, selectActions(compiled, { actions: ["int_mention_baselines"], includeDeps: true }));
    expect(only.nodes.map((n) => n.label).sort()).toEqual(["eventmentions_partitioned", "events_partitioned", "int_focus_events", "int_mention_baselines", "int_mentions_counted_daily", "stg_gdelt__events", "stg_gdelt__mentions"]);
    expect(only.edges.map((e) => `${e.from.split(".").pop()} -> ${e.to.split(".").pop()}`).sort()).toEqual([
      "eventmentions_partitioned -> stg_gdelt__mentions",
      "events_partitioned -> stg_gdelt__events",
      "int_focus_events -> int_mention_baselines",
      "int_focus_events -> int_mentions_counted_daily",
      "int_mentions_counted_daily -> int_mention_baselines",
      "stg_gdelt__events -> int_focus_events",
      "stg_gdelt__mentions -> int_mentions_counted_daily",
    ]);
  });

  it("labels a short name that two schemas share with its schema, and joins an operation's queries", () => {
    const g = lineageGraph(tricky);
    expect(g.nodes.map((n) => [n.name, n.label, n.type])).toEqual([
      ['p.raw.src"<&>', 'src"<&>', "declaration"],
      ["p.s1.a", "s1.a", "table"],
      ["p.s2.a", "s2.a", "view"],
      ["p.s2.op", "op", "operation"],
    ]);
    expect(g.nodes[3].sql).toBe("delete from x;\n\ninsert into x select 1");
  });
});

describe("the layout", () => {
  it("places every node, and every edge runs left to right from a lower layer to a higher one", () => {
    const layout = layoutGraph(graph);
    expect([...layout.nodes.keys()].sort()).toEqual(graph.nodes.map((n) => n.name).sort());
    for (const e of graph.edges) expect(layout.nodes.get(e.from)!.x, `${e.from} -> ${e.to}`).toBeLessThan(layout.nodes.get(e.to)!.x);
    expect(layout.edges.map((e) => `${e.from} -> ${e.to}`)).toEqual(graph.edges.map((e) => `${e.from} -> ${e.to}`));
    for (const b of layout.nodes.values()) {
      expect(b.x + b.width / 2).toBeLessThanOrEqual(layout.width);
      expect(b.y + b.height / 2).toBeLessThanOrEqual(layout.height);
    }
  });
});

describe("the drawn edges", () => {
  /** The nodes an edge's polyline passes through (sampled every pixel, 2 px inside a box), other than its own ends. */
  function crossed(layout: ReturnType<typeof layoutGraph>, e: { from: string; to: string; points: { x: number; y: number }[] }): string[] {
    const hit = new Set<string>();
    for (let i = 1; i < e.points.length; i++) {
      const [a, b] = [e.points[i - 1], e.points[i]];
      const steps = Math.ceil(Math.hypot(b.x - a.x, b.y - a.y));
      for (let s = 0; s <= steps; s++) {
        const x = a.x + ((b.x - a.x) * s) / (steps || 1), y = a.y + ((b.y - a.y) * s) / (steps || 1);
        for (const [name, box] of layout.nodes) {
          if (name !== e.from && name !== e.to && Math.abs(x - box.x) < box.width / 2 - 2 && Math.abs(y - box.y) < box.height / 2 - 2) hit.add(name);
        }
      }
    }
    return [...hit];
  }

  it("start at their source's right side, end at their target's left side, and cross no other node", () => {
    const layout = layoutGraph(graph);
    for (const e of layout.edges) {
      const [from, to] = [layout.nodes.get(e.from)!, layout.nodes.get(e.to)!];
      expect(e.points[0].x, e.from).toBeCloseTo(from.x + from.width / 2, 0);
      expect(e.points.at(-1)!.x, e.to).toBeCloseTo(to.x - to.width / 2, 0);
      expect(crossed(layout, e), `${e.from} -> ${e.to}`).toEqual([]);
    }
  });
});

describe("the renderers", () => {
  it("Mermaid: a left-to-right flowchart, one shaped node per action and one arrow per dependency", () => {
    const text = renderMermaid(graph);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("flowchart LR");
    expect(lines.filter((l) => l.includes(" --> ")).length).toBe(dependencies.size);
    expect(lines.length).toBe(1 + graph.nodes.length + dependencies.size);
    expect(lines).toContain(`  gdelt_bq_gdeltv2_events_partitioned[("events_partitioned")]`);
    expect(lines).toContain(`  ${V}_staging_stg_gdelt__events("stg_gdelt__events")`);
    expect(lines).toContain(`  ${V}_intermediate_int_focus_events["int_focus_events"]`);
    expect(lines).toContain(`  ${V}_analytics_mention_spikes[["mention_spikes"]]`);
    expect(lines).toContain(`  ${V}_analytics_assertions_analytics_mention_spikes_assertions_uniqueKey_0{{"analytics_mention_spikes_assertions_uniqueKey_0"}}`);
    expect(lines).toContain(`  ${V}_intermediate_int_mention_baselines --> ${V}_analytics_mention_spikes`);
  });

  it("Mermaid: quotes and markup in a label become entity codes; an operation is a parallelogram", () => {
    expect(renderMermaid(lineageGraph(tricky)).split("\n")).toEqual([
      "flowchart LR",
      '  p_raw_src____[("src#34;#60;&#62;")]',
      '  p_s1_a["s1.a"]',
      '  p_s2_a("s2.a")',
      '  p_s2_op[/"op"/]',
      "  p_raw_src____ --> p_s1_a",
      "  p_s1_a --> p_s2_a",
      "  p_s2_a --> p_s2_op",
      "",
    ]);
  });

  it("DOT: a digraph whose node ids are the action names and whose edges are the dependencies", () => {
    const text = renderDot(graph);
    expect(text.startsWith("digraph lineage {\n  rankdir=LR;\n")).toBe(true);
    const edges = attrs(text, /^ {2}"([^"]+)" -> "([^"]+)";$/gm);
    expect(edges.sort()).toEqual([...dependencies].sort());
    expect(attrs(text, /^ {2}"([^"]+)" \[label=/gm).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
    expect(text).toContain(`  "${V}.analytics.mention_spikes" [label="mention_spikes\\nincremental", shape=box, peripheries=2];`);
    expect(renderDot(lineageGraph(tricky))).toContain(`  "p.raw.src\\"<&>" [label="src\\"<&>\\ndeclaration", shape=cylinder];`);
  });

  it("SVG: one node group per action with its type and status, one edge path per dependency, and a legend", () => {
    const status = new Map([[`${V}.analytics.mention_spikes`, "failed"], [`${V}.staging.stg_gdelt__events`, "success"], [`${V}.analytics.events`, "skipped"]]);
    const svg = renderSvg(graph, { status });
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    const groups = [...svg.matchAll(/<g class="node" data-action="([^"]+)" data-type="([^"]+)" data-status="([^"]+)"/g)];
    expect(groups.map((m) => m[1]).sort()).toEqual(graph.nodes.map((n) => n.name).sort());
    expect(Object.fromEntries(groups.map((m) => [m[1], m[2]]))).toEqual(Object.fromEntries(graph.nodes.map((n) => [n.name, n.type])));
    const failed = groups.filter((m) => m[3] === "failed").map((m) => m[1]);
    expect(failed).toEqual([`${V}.analytics.mention_spikes`]);
    expect(groups.filter((m) => m[3] === "succeeded").map((m) => m[1])).toEqual([`${V}.staging.stg_gdelt__events`]);
    expect(groups.filter((m) => m[3] === "not run").length).toBe(graph.nodes.length - 3);
    expect(attrs(svg, /<path class="edge" data-from="([^"]+)" data-to="([^"]+)"/g).sort()).toEqual([...dependencies].sort());
    expect(attrs(svg, /<g class="legend-status" data-status="([^"]+)"/g)).toEqual(["succeeded", "failed", "skipped", "warning", "not run"]);
    expect(attrs(svg, /<g class="legend-type" data-type="([^"]+)"/g)).toEqual(["declaration", "view", "table", "incremental", "assertion", "operation"]);
  });

  it("SVG: names and labels are escaped", () => {
    const svg = renderSvg(lineageGraph(tricky));
    expect(svg).toContain('<g class="node" data-action="p.raw.src&quot;&lt;&amp;&gt;" data-type="declaration" data-status="not run"');
    expect(svg).toContain('<text class="label" x=');
    expect(svg).toContain(">src&quot;&lt;&amp;&gt;</text>");
    expect(svg).not.toContain('src"<');
  });
});

describe("last-run status", () => {
  it("maps run and ledger statuses to the diagram's five", () => {
    expect(["success", "succeeded", "failed", "cancelled", "skipped", "disabled", "warning", "planned", undefined].map(nodeStatus)).toEqual(["succeeded", "succeeded", "failed", "failed", "skipped", "skipped", "warning", "not run", "not run"]);
  });

  it("takes each action's status from the newest run that ran it", () => {
    const runs = [{ actions: [{ name: "a", status: "failed" }] }, { actions: [{ name: "a", status: "success" }, { name: "b", status: "success" }] }, { actions: [{ name: "c", status: "planned" }] }];
    expect([...lastStatuses(runs)]).toEqual([["a", "failed"], ["b", "success"]]);
  });
});
