import { describe, expect, it } from "vitest";
import { parseDeploySettings } from "../../orchestrator/cloud/settings";
import { transferScheduleProblem } from "../../orchestrator/cloud/transfer-schedule";
import { compareTransfer, desiredTransfer, markerLine, planTransfers } from "../../orchestrator/cloud/transfer-plan";

describe("Data Transfer schedules", () => {
  it.each(["every day 02:15", "every 15 minutes", "every 6 hours from 08:00 to 18:00", "every 2 hours synchronized", "every mon,thu 06:30", "every wed,fri of jan,jun 13:15", "1st,3rd monday of month 15:30", "first sunday of quarter 00:00", "1,15 of month 09:00", "1 of jan,apr,jul,oct 00:00", "Every Day 23:59"])("accepts %s", (s) => {
    expect(transferScheduleProblem(s)).toBeUndefined();
  });

  it.each([
    ["every day 2:15", "it must end with a UTC time HH:MM (00:00-23:59)"],
    ["every day 24:00", "it must end with a UTC time HH:MM (00:00-23:59)"],
    ["15 2 * * *", "it must end with a UTC time HH:MM (00:00-23:59)"],
    ["every 0 hours", "the interval must be at least 1"],
    ["every 3 hours daily", 'after "every 3 hours" only "from HH:MM to HH:MM" or "synchronized" may follow'],
    ["every funday 02:15", '"every funday" names no days (every day, every mon,fri, 1st monday of month, 1,15 of month)'],
    ["1st monday 02:15", '"1st monday" names no days (every day, every mon,fri, 1st monday of month, 1,15 of month)'],
    ["32 of month 02:15", '"32" names no days (every day, every mon,fri, 1st monday of month, 1,15 of month)'],
    ["every day of week 02:15", '"of" takes month, quarter or months (jan,jun)'],
  ])("refuses %s: %s", (s, why) => {
    expect(transferScheduleProblem(s)).toBe(`"${s}" is not a Data Transfer schedule: ${why} (e.g. "every day 02:15", "every mon,thu 06:30", "1st monday of month 03:00", "every 6 hours")`);
  });
});

const BASE = `production:
  project: vw-project
  region: us-central1
  repository:
    id: analytics
    git:
      url: https://example.com/a.git
      tokenSecretVersion: projects/vw-project/secrets/t/versions/1
  scheduledQueries:
`;

describe("production.scheduledQueries in vwatch.yaml", () => {
  it("defaults: every day 02:15, Etc/UTC, location us, with dependencies, enabled", () => {
    const s = parseDeploySettings(`${BASE}    - name: vertex\n      actions: [entity_risk_training_data]\n`);
    expect(s.production.scheduledQueries).toEqual([{ name: "vertex", tags: [], actions: ["entity_risk_training_data"], includeDependencies: true, schedule: "every day 02:15", timeZone: "Etc/UTC", location: "us", disabled: false }]);
  });

  it("each bad value is one line naming the file, its line and the key", () => {
    const text = `${BASE}    - name: vertex\n      actions: [x]\n      schedule: every day 2:15\n      timeZone: America/Caracas\n      location: US\n    - name: vertex\n      tags: [vertex]\n    - name: nothing\n`;
    expect(() => parseDeploySettings(text)).toThrow(
      [
        'vwatch.yaml:12: production.scheduledQueries[0].schedule: "every day 2:15" is not a Data Transfer schedule: it must end with a UTC time HH:MM (00:00-23:59) (e.g. "every day 02:15", "every mon,thu 06:30", "1st monday of month 03:00", "every 6 hours")',
        'vwatch.yaml:13: production.scheduledQueries[0].timeZone: "America/Caracas": the Data Transfer service runs schedules in UTC (it has no time zone setting); write the schedule\'s time in UTC and timeZone: Etc/UTC',
        "vwatch.yaml:14: production.scheduledQueries[0].location: must be a BigQuery location in lowercase, e.g. us, eu or us-central1 (where the datasets are)",
        "vwatch.yaml:17: production.scheduledQueries[2]: needs tags or actions: a scheduled query runs a selection, not the whole project",
        'vwatch.yaml:15: production.scheduledQueries[1].name: "vertex" is named twice (scheduled queries are matched by display name)',
      ].join("\n"),
    );
  });
});

describe("the scheduled queries plan", () => {
  const q = parseDeploySettings(`${BASE}    - name: vertex\n      actions: [x]\n      serviceAccount: r@vw-project.iam.gserviceaccount.com\n`).production.scheduledQueries![0];
  const desired = desiredTransfer("vw-project", q, "select 1;\n");
  const existing = (over: Record<string, unknown> = {}) => ({
    name: "projects/vw-project/transferConfigs/abc",
    displayName: "vertex",
    dataSourceId: "scheduled_query",
    params: { query: `${markerLine("vertex")}\nselect 1;\n` },
    schedule: "every day 02:15",
    disabled: false,
    ownerInfo: { email: "r@vw-project.iam.gserviceaccount.com" },
    ...over,
  });
  const where = (i: number) => `vwatch.yaml:${10 + i}`;

  it("unchanged when the service holds the same (named without its location), update with the mask of what differs", () => {
    expect(compareTransfer(desired, existing()).action).toBe("unchanged");
    const item = compareTransfer(desired, existing({ schedule: "every day 01:00", ownerInfo: { email: "old@vw-project.iam.gserviceaccount.com" } }));
    expect([item.action, item.updateMask, item.body, item.serviceAccount]).toEqual(["update", ["schedule", "service_account_name"], { name: "projects/vw-project/transferConfigs/abc", schedule: "every day 02:15" }, "r@vw-project.iam.gserviceaccount.com"]);
  });

  it("refuses to touch a scheduled query of the same name made by hand, naming it and the line", () => {
    expect(() => planTransfers([desired], [existing({ params: { query: "select 1" } })], { prune: true, where })).toThrow(
      'vwatch.yaml:10: production.scheduledQueries[0].name: a scheduled query "vertex" exists in projects/vw-project/locations/us that vwatch did not create (projects/vw-project/transferConfigs/abc); rename one of them, or delete it',
    );
  });

  it("--prune deletes vwatch's configs the file no longer names, and only those; without it they are listed as kept", () => {
    const gone = existing({ name: "projects/vw-project/locations/us/transferConfigs/old", displayName: "old", params: { query: `${markerLine("old")}\nselect 2` } });
    const hand = existing({ name: "projects/vw-project/locations/us/transferConfigs/hand", displayName: "hand", params: { query: "select 3" } });
    const pruned = planTransfers([desired], [existing(), gone, hand], { prune: true, where });
    expect(pruned.items.map((i) => `${i.id}:${i.action}`)).toEqual(["vertex:unchanged", "old:delete"]);
    const kept = planTransfers([desired], [existing(), gone, hand], { prune: false, where });
    expect(kept.stale).toEqual([{ id: "old", name: "projects/vw-project/locations/us/transferConfigs/old" }]);
  });
});
