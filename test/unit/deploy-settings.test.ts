import * as path from "path";
import { describe, expect, it } from "vitest";
import { cronProblem, isTimeZone } from "../../orchestrator/cloud/cron";
import { loadDeploySettings, parseDeploySettings } from "../../orchestrator/cloud/settings";
import { ConfigError } from "../../orchestrator/errors";
import { productionYaml } from "../helpers/deploy-settings";

const root = path.join(__dirname, "..", "..");

const BASE = productionYaml();

function problem(text: string): string {
  try {
    parseDeploySettings(text);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a settings error");
}

describe("vwatch.yaml", () => {
  it("the checked-in file is valid and holds the project's schedule: compile 01:45, run 02:15, Etc/UTC", () => {
    const s = loadDeploySettings(root).production;
    expect(s.release.cron).toBe("45 1 * * *");
    expect(s.workflows.map((w) => [w.id, w.cron, w.timeZone])).toEqual([["daily", "15 2 * * *", "Etc/UTC"]]);
    expect(s.release.overrides.vars?.app_connection).toMatch(/^[a-z][a-z0-9-]+\.[a-z0-9-]+\.[A-Za-z0-9_-]+$/);
  });

  it("fills in the defaults: release production from main, compile at 01:45 and one workflow config running everything at 02:15 UTC", () => {
    const s = parseDeploySettings(BASE).production;
    expect(s.repository.git.defaultBranch).toBe("main");
    expect(s.release).toEqual({ id: "production", gitCommitish: "main", cron: "45 1 * * *", timeZone: "Etc/UTC", disabled: false, overrides: {} });
    expect(s.workflows).toEqual([{ id: "daily", cron: "15 2 * * *", timeZone: "Etc/UTC", tags: [], actions: [], includeDependencies: false, includeDependents: false, fullRefresh: false, disabled: false }]);
  });

  it("names the file, the line and the key of each problem", () => {
    expect(problem(BASE.replace("  region: us-central1\n", ""))).toBe("vwatch.yaml:1: missing key production.region");
    expect(problem(`${BASE}  workflows:\n    - id: daily\n      cron: "75 2 * * *"\n`)).toBe('vwatch.yaml:11: production.workflows[0].cron: "75 2 * * *": minute "75" is out of range 0-59');
    expect(problem(`${BASE}  workflows:\n    - id: daily\n      timeZone: Mars/Olympus\n`)).toBe('vwatch.yaml:11: production.workflows[0].timeZone: "Mars/Olympus" is not a time zone name of the tz database (e.g. Etc/UTC, America/Caracas)');
    expect(problem(`${BASE}  workflows:\n    - id: Daily\n`)).toBe("vwatch.yaml:10: production.workflows[0].id: must be lowercase letters, digits, _ and -, starting with a letter, at most 53 characters");
    expect(problem(`${BASE}  workflows:\n    - id: a\n    - id: a\n`)).toBe('vwatch.yaml:11: production.workflows[1].id: "a" is named twice');
    expect(problem(`${BASE}  release:\n    cronn: "1 2 * * *"\n`)).toBe('vwatch.yaml:10: production.release: unknown key "cronn"');
    expect(problem(`${BASE}  release:\n    overrides:\n      vars:\n        z_threshold: 2.5\n`)).toBe("vwatch.yaml:12: production.release.overrides.vars.z_threshold: must be a string (quote it in vwatch.yaml)");
    expect(problem("production:\n  project: [\n")).toMatch(/^vwatch\.yaml:\d+: not valid YAML: /);
  });

  it("refuses a secret in the file without ever printing it", () => {
    const token = "ghp_0123456789abcdefABCDEF0123456789abcd";
    const pasted = problem(BASE.replace("tokenSecretVersion: projects/vw-project/secrets/git-token/versions/3", `tokenSecretVersion: ${token}`));
    expect(pasted).toBe("vwatch.yaml:8: production.repository.git.tokenSecretVersion looks like a credential: secrets never go in this file; store the Git token in Secret Manager and name its version in production.repository.git.tokenSecretVersion");
    const extraKey = problem(BASE.replace("      url:", `      token: not-a-known-token-shape-s3cr3t\n      url:`));
    expect(extraKey).toBe('vwatch.yaml:7: production.repository.git: unknown key "token"');
    const inUrl = problem(BASE.replace("https://example.com", "https://user:s3cr3t@example.com"));
    for (const message of [pasted, extraKey, inUrl]) expect(message).not.toMatch(/ghp_|s3cr3t/);
  });
});

describe("cron schedules and time zones", () => {
  it("accepts five-field Unix cron with lists, ranges, steps and names", () => {
    for (const ok of ["15 2 * * *", "*/15 0-6 1,15 JAN-JUN mon-fri", "0 0 * * 7"]) expect(cronProblem(ok), ok).toBeUndefined();
  });

  it("says what is wrong with a bad one", () => {
    expect(cronProblem("15 2 * *")).toBe('a cron schedule has 5 fields (minute hour day-of-month month day-of-week), "15 2 * *" has 4');
    expect(cronProblem("0 24 * * *")).toBe('"0 24 * * *": hour "24" is out of range 0-23');
    expect(cronProblem("0 5-2 * * *")).toBe('"0 5-2 * * *": hour range "5-2" runs backwards');
    expect(cronProblem("*/0 * * * *")).toBe('"*/0 * * * *": minute step "*/0" must be at least 1');
    expect(cronProblem("every day 02:15 * *")).toMatch(/^"every day 02:15 \* \*": minute "every" is out of range 0-59$/);
  });

  it("knows tz database names only", () => {
    expect(["Etc/UTC", "UTC", "America/Caracas", "Europe/Madrid"].filter(isTimeZone)).toHaveLength(4);
    expect(["Mars/Olympus", "+01:00", "", "utc offset"].filter(isTimeZone)).toEqual([]);
  });
});
