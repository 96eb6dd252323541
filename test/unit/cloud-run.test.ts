import { describe, expect, it } from "vitest";
import type { WorkflowInvocation } from "../../orchestrator/cloud/dataform-api";
import { compilationErrorLines } from "../../orchestrator/cloud/compilation-errors";
import { countsLine, progressLine } from "../../orchestrator/cloud/invocation-format";
import { actionKind, actionStatus, invocationRecord, timeMs } from "../../orchestrator/cloud/invocation-record";
import { invocationNameOf, mergeRecentRuns } from "../../orchestrator/cloud/recent-runs";
import { compilationResultBody, invocationBody } from "../../orchestrator/cloud/run-request";
import { parseDeploySettings } from "../../orchestrator/cloud/settings";
import { candidatesFromCompilation, resolveSelection } from "../../orchestrator/cloud/targets";

const REPO = "projects/vw-project/locations/us-central1/repositories/analytics";
const p = parseDeploySettings(`production:
  project: vw-project
  region: us-central1
  repository:
    id: analytics
    git:
      url: https://example.com/a.git
      tokenSecretVersion: projects/vw-project/secrets/t/versions/1
  release:
    gitCommitish: release
    overrides:
      defaultProject: vw-project
      defaultDataset: analytics
      vars:
        app_connection: vw-project.us.pg
        z_threshold: "2"
`).production;
const ts = (iso: string) => ({ seconds: String(Date.parse(iso) / 1000), nanos: 0 });

describe("what cloud run asks the service for", () => {
  it("plain: the release config; with --vars: the release's commitish and overrides, the vars merged over the release's", () => {
    expect(compilationResultBody(p, {})).toEqual({ releaseConfig: `${REPO}/releaseConfigs/production` });
    expect(compilationResultBody(p, { vars: { z_threshold: "3", as_of: "2024-01-02" } })).toEqual({
      gitCommitish: "release",
      codeCompilationConfig: { defaultDatabase: "vw-project", defaultSchema: "analytics", vars: { app_connection: "vw-project.us.pg", z_threshold: "3", as_of: "2024-01-02" } },
    });
    expect(compilationResultBody(p, { commitish: "abc123" }).gitCommitish).toBe("abc123");
  });

  it("the invocation carries only the selection that was asked for", () => {
    expect(invocationBody(p, "CR", {}, [])).toEqual({ compilationResult: "CR" });
    expect(invocationBody(p, "CR", { tags: ["mentions"], includeDeps: true, includeDependents: true, fullRefresh: true }, [{ database: "d", schema: "s", name: "n" }])).toEqual({
      compilationResult: "CR",
      invocationConfig: { includedTargets: [{ database: "d", schema: "s", name: "n" }], includedTags: ["mentions"], transitiveDependenciesIncluded: true, transitiveDependentsIncluded: true, fullyRefreshIncrementalTablesEnabled: true },
    });
  });

  it("flags are resolved against the service's compiled actions; declarations and unknown names are refused", () => {
    const compiled = [
      { target: { database: "vw", schema: "analytics", name: "mention_spikes" }, relation: { tags: ["mentions"] } },
      { target: { database: "vw", schema: "analytics_assertions", name: "assert_x" }, assertion: { tags: ["checks"] } },
      { target: { database: "gdelt-bq", schema: "gdeltv2", name: "events_partitioned" }, declaration: {} },
    ];
    const c = candidatesFromCompilation(compiled);
    expect(c.tags.sort()).toEqual(["checks", "mentions"]);
    expect(resolveSelection(c, ["mentions"], ["analytics.mention_spikes"], (k) => `--${k}`)).toEqual({ targets: [{ database: "vw", schema: "analytics", name: "mention_spikes" }], problems: [] });
    expect(resolveSelection(c, ["mention"], ["events_partitioned", "spikes"], (k) => `--${k}`).problems).toEqual([
      '--tags: no action has the tag "mention"; did you mean mentions? (tags: checks, mentions)',
      '--actions: "events_partitioned" is a declaration (a source table), which does not run',
      '--actions: no action "spikes" in the compiled project',
    ]);
  });

  it("the service's compilation errors are one line each, by file (or action), each once", () => {
    expect(
      compilationErrorLines({
        compilationErrors: [
          { path: "definitions/a.sqlx", message: "Unexpected token\n  at line 3" },
          { path: "definitions/a.sqlx", message: "Unexpected token" },
          { path: "", actionTarget: { database: "vw", schema: "s", name: "b" }, message: "Duplicate action name" },
          { message: "" },
        ],
      }),
    ).toEqual(["definitions/a.sqlx: Unexpected token", "vw.s.b: Duplicate action name", "the project: (no message)"]);
  });
});

describe("an invocation as a run's results", () => {
  it("maps each state, timing, job id and failure reason; kinds from the compiled actions", () => {
    expect(["PENDING", "RUNNING", "SKIPPED", "DISABLED", "SUCCEEDED", "CANCELLED", "FAILED", 6].map(actionStatus)).toEqual(["pending", "running", "skipped", "disabled", "success", "cancelled", "failed", "failed"]);
    expect([{ relation: { relationType: "INCREMENTAL_TABLE" } }, { relation: { relationType: "VIEW" } }, { relation: {} }, { assertion: {} }, { operations: {} }, undefined].map((a) => actionKind(a as never))).toEqual(["incremental", "view", "table", "assertion", "operation", "action"]);
    expect(timeMs({ seconds: "10", nanos: 500_000_000 })).toBe(10_500);
    expect(timeMs("1970-01-01T00:00:02Z")).toBe(2000);
    const target = { database: "vw", schema: "analytics", name: "t" };
    const record = invocationRecord({
      invocation: { name: `${REPO}/workflowInvocations/17-a`, state: "FAILED", invocationTiming: { startTime: ts("2026-01-01T02:15:00Z"), endTime: ts("2026-01-01T02:16:00Z") }, resolvedCompilationResult: `${REPO}/compilationResults/c` },
      actions: [
        { target, state: "FAILED", failureReason: "Query error: x", invocationTiming: { startTime: ts("2026-01-01T02:15:00Z"), endTime: ts("2026-01-01T02:15:42Z") }, bigqueryAction: { jobId: "job_1" } },
        { target: { ...target, name: "u" }, state: "SKIPPED" },
      ],
      compiled: [{ target, filePath: "definitions/t.sqlx", relation: { relationType: "TABLE" } }],
      project: { defaultDatabase: "vw" },
      options: {},
    });
    expect(record).toMatchObject({ runId: "17-a", startedAt: "2026-01-01T02:15:00.000Z", finishedAt: "2026-01-01T02:16:00.000Z", warehouse: "bigquery", dataform: { state: "FAILED", compilationResult: `${REPO}/compilationResults/c` }, summary: { success: 0, failed: 1, skipped: 1, disabled: 0 } });
    expect(record.actions).toEqual([
      { name: "vw.analytics.t", kind: "table", fileName: "definitions/t.sqlx", status: "failed", seconds: 42, jobId: "job_1", error: { code: "FAILED", message: "Query error: x" } },
      { name: "vw.analytics.u", kind: "action", status: "skipped", seconds: 0, error: { code: "SKIPPED", message: "skipped because a dependency did not succeed" } },
    ]);
    expect(progressLine(record.actions[0], 1, 2)).toBe("[1/2] failed   vw.analytics.t (table, 42.00s)\n      Query error: x");
    expect(countsLine(record)).toBe("0 succeeded, 1 failed, 1 skipped");
  });
});

describe("recent runs", () => {
  it("newest first; scheduled invocations named by their workflow config; failed attempts as rows", () => {
    const inv = (id: string, start: string, extra = {}): WorkflowInvocation => ({ name: `${REPO}/workflowInvocations/${id}`, state: "SUCCEEDED" as const, invocationTiming: { startTime: ts(start), endTime: ts(start.replace(":00Z", ":30Z")) }, ...extra });
    const runs = mergeRecentRuns(
      [inv("b", "2026-01-02T02:15:00Z"), inv("a", "2026-01-01T02:15:00Z"), inv("c", "2026-01-03T09:00:00Z", { state: "RUNNING", invocationTiming: { startTime: ts("2026-01-03T09:00:00Z") } })],
      [{ name: `${REPO}/workflowConfigs/daily`, recentScheduledExecutionRecords: [{ executionTime: ts("2026-01-02T10:00:00Z"), errorStatus: { code: 9, message: "no release compilation result" } }, { executionTime: ts("2026-01-02T02:15:00Z"), workflowInvocation: `${REPO}/workflowInvocations/b` }] }],
    );
    expect(runs.map((r) => [r.id, r.state, r.trigger, r.seconds])).toEqual([
      ["c", "RUNNING", "manual", undefined],
      ["-", "NOT STARTED", "schedule daily", undefined],
      ["b", "SUCCEEDED", "schedule daily", 30],
      ["a", "SUCCEEDED", "manual", 30],
    ]);
  });

  it("an invocation is named by its id or its full name", () => {
    expect(invocationNameOf("17-a", REPO)).toBe(`${REPO}/workflowInvocations/17-a`);
    expect(invocationNameOf(`projects/p/locations/l/repositories/r/workflowInvocations/x`, REPO)).toBe("projects/p/locations/l/repositories/r/workflowInvocations/x");
    expect(() => invocationNameOf("x/y", REPO)).toThrow(/"x\/y" is not a workflow invocation/);
  });
});
