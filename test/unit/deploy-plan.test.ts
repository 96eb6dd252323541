import { describe, expect, it } from "vitest";
import { planDeploy, normalize, type Existing } from "../../orchestrator/cloud/deploy-plan";
import { desiredReleaseConfig, desiredRepository, desiredWorkflowConfig } from "../../orchestrator/cloud/desired";
import { formatPlan, summaryLine } from "../../orchestrator/cloud/plan-format";
import { parseDeploySettings } from "../../orchestrator/cloud/settings";
import { REPO, productionYaml } from "../helpers/deploy-settings";


const SETTINGS = `${productionYaml()}  release:
    overrides:
      vars:
        app_connection: vw-project.us.app-postgres
  workflows:
    - id: daily
      tags: [mentions]
      includeDependencies: true
`;

function desired(text = SETTINGS) {
  const p = parseDeploySettings(text).production;
  return { repository: desiredRepository(p), releaseConfig: desiredReleaseConfig(p), workflowConfigs: p.workflows.map((_, i) => desiredWorkflowConfig(p, i, [])) };
}

/** What the service holds after a deploy of `d`, echoed the way the client decodes it (defaults filled in, output-only fields). */
function deployed(d: ReturnType<typeof desired>, labels: Record<string, string>): Existing {
  return {
    repository: { ...d.repository, labels, displayName: "", createTime: { seconds: "1", nanos: 0 }, gitRemoteSettings: { ...d.repository.gitRemoteSettings, tokenStatus: "TOKEN_STATUS_UNSPECIFIED", sshAuthenticationConfig: null } },
    releaseConfigs: [{ ...d.releaseConfig, releaseCompilationResult: "", recentScheduledReleaseRecords: [], codeCompilationConfig: { ...d.releaseConfig.codeCompilationConfig, schemaSuffix: "", tablePrefix: "" } }],
    workflowConfigs: d.workflowConfigs.map((w) => ({ ...w, createTime: { seconds: "1" }, recentScheduledExecutionRecords: [{ workflowInvocation: `${REPO}/workflowInvocations/1` }], invocationConfig: { ...w.invocationConfig, includedTargets: [], serviceAccount: "" } })),
  };
}

const MARKS = { "vwatch-rc-production": "managed", "vwatch-wc-daily": "managed" };

describe("the deploy plan", () => {
  it("creates the repository, the release config and each workflow config when none exists, marking the configs in the repository labels", () => {
    const plan = planDeploy(desired(), { releaseConfigs: [], workflowConfigs: [] }, { prune: false });
    expect(plan.items.map((i) => `${i.kind} ${i.id} ${i.action}`)).toEqual(["repository analytics create", "release config production create", "workflow config daily create"]);
    expect(plan.items[0].body).toEqual({
      gitRemoteSettings: { url: "https://example.com/org/analytics.git", defaultBranch: "main", authenticationTokenSecretVersion: "projects/vw-project/secrets/git-token/versions/3" },
      labels: MARKS,
    });
    expect(plan.items[1].body).toEqual({ gitCommitish: "main", codeCompilationConfig: { vars: { app_connection: "vw-project.us.app-postgres" } }, cronSchedule: "45 1 * * *", timeZone: "Etc/UTC" });
    expect(plan.items[2].body).toEqual({
      releaseConfig: `${REPO}/releaseConfigs/production`,
      invocationConfig: { includedTags: ["mentions"], transitiveDependenciesIncluded: true },
      cronSchedule: "15 2 * * *",
      timeZone: "Etc/UTC",
    });
  });

  it("reports everything unchanged against what the service echoes back (defaults and output-only fields ignored)", () => {
    const d = desired();
    const plan = planDeploy(d, deployed(d, { ...MARKS, team: "data" }), { prune: false });
    expect(plan.items.map((i) => i.action)).toEqual(["unchanged", "unchanged", "unchanged"]);
    expect(plan.items.every((i) => i.body === undefined && i.updateMask.length === 0)).toBe(true);
    expect(summaryLine(plan, false)).toBe("nothing to deploy: 3 unchanged");
  });

  it("updates an edited cron with a mask naming only cron_schedule, and shows old → new", () => {
    const before = desired();
    const after = desired(SETTINGS.replace("      tags: [mentions]", '      cron: "30 3 * * *"\n      tags: [mentions]'));
    const plan = planDeploy(after, deployed(before, MARKS), { prune: false });
    const wc = plan.items[2];
    expect(wc.action).toBe("update");
    expect(wc.changes).toEqual([{ field: "cronSchedule", old: "15 2 * * *", new: "30 3 * * *" }]);
    expect(wc.updateMask).toEqual(["cron_schedule"]);
    expect(wc.body).toEqual({ name: `${REPO}/workflowConfigs/daily`, cronSchedule: "30 3 * * *" });
    expect(formatPlan(plan)).toContain('  cronSchedule: "15 2 * * *" → "30 3 * * *"');
    expect(plan.items.slice(0, 2).map((i) => i.action)).toEqual(["unchanged", "unchanged"]);
  });

  it("sends the whole invocation config when one of its fields changes, and names the changed leaves", () => {
    const before = desired();
    const after = desired(SETTINGS.replace("tags: [mentions]", "tags: [mentions, economics]").replace("includeDependencies: true", "includeDependencies: false"));
    const wc = planDeploy(after, deployed(before, MARKS), { prune: false }).items[2];
    expect(wc.changes).toEqual([
      { field: "invocationConfig.includedTags", old: ["mentions"], new: ["mentions", "economics"] },
      { field: "invocationConfig.transitiveDependenciesIncluded", old: true, new: undefined },
    ]);
    expect(wc.updateMask).toEqual(["invocation_config"]);
    expect(wc.body).toEqual({ name: `${REPO}/workflowConfigs/daily`, invocationConfig: { includedTags: ["mentions", "economics"] } });
  });

  it("keeps a config vwatch created that the file no longer names unless --prune, and never touches one it did not create", () => {
    const d = desired();
    const existing = deployed(d, { ...MARKS, "vwatch-wc-hourly": "managed", team: "data" });
    existing.workflowConfigs.push({ ...existing.workflowConfigs[0], name: `${REPO}/workflowConfigs/hourly` }, { ...existing.workflowConfigs[0], name: `${REPO}/workflowConfigs/by-hand` });

    const kept = planDeploy(d, existing, { prune: false });
    expect(kept.items.map((i) => i.action)).toEqual(["unchanged", "unchanged", "unchanged"]);
    expect(kept.stale).toEqual([{ kind: "workflow config", id: "hourly", name: `${REPO}/workflowConfigs/hourly` }]);
    expect(formatPlan(kept)).toContain("workflow config hourly: kept (created by vwatch, no longer in vwatch.yaml; vwatch deploy --prune deletes it)");

    const pruned = planDeploy(d, existing, { prune: true });
    expect(pruned.items.map((i) => `${i.kind} ${i.id} ${i.action}`)).toEqual(["repository analytics update", "release config production unchanged", "workflow config daily unchanged", "workflow config hourly delete"]);
    expect(pruned.items[0].changes).toEqual([{ field: "labels.vwatch-wc-hourly", old: "managed", new: undefined }]);
    // The mark goes only after the delete: first step keeps the labels, the second removes the mark.
    expect(pruned.repositorySteps![0].action).toBe("unchanged");
    expect(pruned.repositorySteps![1].body).toEqual({ name: REPO, labels: { ...MARKS, team: "data" } });
    expect(pruned.repositorySteps![1].updateMask).toEqual(["labels"]);
  });

  it("drops a mark whose config no longer exists, without deleting anything", () => {
    const d = desired();
    const plan = planDeploy(d, deployed(d, { ...MARKS, "vwatch-wc-gone": "managed" }), { prune: false });
    expect(plan.items[0].changes).toEqual([{ field: "labels.vwatch-wc-gone", old: "managed", new: undefined }]);
    expect(plan.items.some((i) => i.action === "delete")).toBe(false);
  });
});

describe("normalize", () => {
  it("drops proto3 defaults and output-only fields, keeping real values", () => {
    expect(normalize({ name: "x", a: "", b: false, c: [], d: {}, e: null, f: { g: "" }, h: "v", i: [1, ""], createTime: "t", j: true })).toEqual({ h: "v", i: [1], j: true });
    // A name inside a message (a target's) is data, not the resource's name.
    expect(normalize({ name: "x", invocationConfig: { includedTargets: [{ database: "", schema: "s", name: "t" }] }, gitRemoteSettings: { url: "u", tokenStatus: "VALID" } })).toEqual({
      invocationConfig: { includedTargets: [{ schema: "s", name: "t" }] },
      gitRemoteSettings: { url: "u" },
    });
  });
});
