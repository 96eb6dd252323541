import * as path from "path";
import { describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { selectActions } from "../../orchestrator/plan/select";

const graph = compileProject({ projectDir: path.join(__dirname, "..", "..") });
const short = (names: Set<string>) => [...names].map((n) => n.split(".").pop()).sort();

describe("action selection", () => {
  it("selects everything by default", () => {
    expect(selectActions(graph, {}).size).toBe((graph.tables?.length ?? 0) + (graph.assertions?.length ?? 0) + (graph.operations?.length ?? 0));
  });

  it("--tags mentions selects exactly the spike pipeline and its assertions", () => {
    const names = short(selectActions(graph, { tags: ["mentions"] }));
    expect(names).toContain("mention_spikes");
    expect(names).toContain("stg_gdelt__mentions");
    expect(names).toContain("analytics_mention_spikes_assertions_uniqueKey_0");
  });

  it("--actions takes a short name and --include-deps adds its upstream models", () => {
    expect(short(selectActions(graph, { actions: ["int_mention_baselines"] }))).toEqual(["int_mention_baselines"]);
    expect(short(selectActions(graph, { actions: ["int_mention_baselines"], includeDeps: true }))).toEqual([
      "int_focus_events",
      "int_mention_baselines",
      "int_mentions_counted_daily",
      "stg_gdelt__events",
      "stg_gdelt__mentions",
    ]);
  });

  it("--include-dependents adds downstream models and assertions", () => {
    const names = short(selectActions(graph, { actions: ["int_mention_baselines"], includeDependents: true }));
    expect(names).toContain("mention_spikes");
    expect(names).toContain("intermediate_int_mention_baselines_assertions_uniqueKey_0");
    expect(names).not.toContain("int_focus_events");
  });

  it("an unknown action name is an error that says how to list actions", () => {
    expect(() => selectActions(graph, { actions: ["no_such_model"] })).toThrow(/no action named "no_such_model".*vwatch compile/);
  });

  it("a tag no action has is an error listing the known tags", () => {
    expect(() => selectActions(graph, { tags: ["nope"] })).toThrow(/no action has tag "nope"; known tags: (\w+, )*mentions\b/);
  });
});
