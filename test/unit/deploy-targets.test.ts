import { describe, expect, it } from "vitest";
import { parseDeploySettings } from "../../orchestrator/cloud/settings";
import { resolveWorkflowTargets } from "../../orchestrator/cloud/targets";
import type { CompiledGraph } from "../../orchestrator/compile/graph";
import { ConfigError } from "../../orchestrator/errors";

const t = (schema: string, name: string) => ({ database: "vw", schema, name });
const GRAPH: CompiledGraph = {
  projectConfig: { defaultDatabase: "vw" },
  tables: [
    { target: t("analytics", "events"), tags: ["app"] },
    { target: t("staging", "events"), tags: ["app"] },
    { target: t("analytics", "mention_spikes"), tags: ["mentions"] },
  ],
  assertions: [{ target: t("analytics_assertions", "assert_spikes"), tags: ["mentions"] }],
  declarations: [{ target: { database: "gdelt-bq", schema: "gdeltv2", name: "events_partitioned" } }],
};

function settings(workflow: string) {
  return parseDeploySettings(`production:
  project: vw-project
  region: us-central1
  repository:
    id: analytics
    git:
      url: https://example.com/a.git
      tokenSecretVersion: projects/vw-project/secrets/t/versions/1
  workflows:
    - id: daily
${workflow}`);
}

function problems(workflow: string): string[] {
  try {
    resolveWorkflowTargets(settings(workflow), GRAPH);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message.split("\n");
  }
  throw new Error("expected a ConfigError");
}

describe("a workflow config's tags and actions against the compiled graph", () => {
  it("resolves name, dataset.name and project.dataset.name to the compiled target", () => {
    expect(resolveWorkflowTargets(settings("      tags: [mentions]\n      actions: [mention_spikes, staging.events, vw.analytics.events, assert_spikes]\n"), GRAPH)).toEqual([
      [t("analytics", "mention_spikes"), t("staging", "events"), t("analytics", "events"), t("analytics_assertions", "assert_spikes")],
    ]);
  });

  it("names the line of each unknown tag or action, an ambiguous name and a declaration", () => {
    expect(problems("      tags: [mentons]\n      actions:\n        - events\n        - events_partitioned\n        - spikes_mention\n")).toEqual([
      'vwatch.yaml:11: production.workflows[0].tags: no action has the tag "mentons"; did you mean mentions? (tags: app, mentions)',
      'vwatch.yaml:13: production.workflows[0].actions: "events" names 2 actions (vw.analytics.events, vw.staging.events); write dataset.name',
      'vwatch.yaml:14: production.workflows[0].actions: "events_partitioned" is a declaration (a source table), which does not run',
      'vwatch.yaml:15: production.workflows[0].actions: no action "spikes_mention" in the compiled project',
    ]);
  });
});
