import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { cronIntervalHours, serveSettings } from "../../orchestrator/serve/settings";

const repo = path.join(__dirname, "..", "..");
const auth = { VWATCH_SERVICE_URL: "https://svc.example", VWATCH_ALLOWED_CALLERS: "a@x.iam.gserviceaccount.com, B@y.com" };

describe("vwatch serve settings", () => {
  it("listens on PORT (Cloud Run) on all interfaces with authentication; --port wins", () => {
    expect(serveSettings({}, { ...auth, PORT: "9090" }, repo)).toEqual({
      port: 9090,
      host: "0.0.0.0",
      auth: { audience: "https://svc.example", allowed: ["a@x.iam.gserviceaccount.com", "b@y.com"] },
      staleAfterHours: 26,
    });
    expect(serveSettings({ port: "7000" }, { ...auth, PORT: "9090" }, repo).port).toBe(7000);
    expect(serveSettings({}, auth, repo).port).toBe(8080);
  });

  it("--no-auth binds to loopback only and refuses another host", () => {
    expect(serveSettings({ auth: false }, {}, repo)).toMatchObject({ host: "127.0.0.1", auth: false });
    expect(() => serveSettings({ auth: false, host: "0.0.0.0" }, {}, repo)).toThrow("--no-auth listens on the loopback interface only (127.0.0.1, ::1), not on 0.0.0.0; drop --host or set up authentication");
  });

  it("refuses missing or bad settings in one line naming the variable", () => {
    expect(() => serveSettings({}, {}, repo)).toThrow(/^VWATCH_SERVICE_URL is not set: set it to the service's URL/);
    expect(() => serveSettings({}, { VWATCH_SERVICE_URL: "https://s" }, repo)).toThrow(/^VWATCH_ALLOWED_CALLERS is not set/);
    expect(() => serveSettings({}, { ...auth, VWATCH_ALLOWED_CALLERS: "nobody" }, repo)).toThrow('VWATCH_ALLOWED_CALLERS: "nobody" is not an e-mail address');
    expect(() => serveSettings({}, { ...auth, PORT: "http" }, repo)).toThrow('PORT must be a port number (0-65535), got "http"');
    expect(() => serveSettings({}, { ...auth, VWATCH_STALE_AFTER_HOURS: "-1" }, repo)).toThrow('VWATCH_STALE_AFTER_HOURS must be a number of hours > 0, got "-1"');
  });

  it("a run is stale after the schedule's longest gap plus 2 hours (vwatch.yaml's first workflow), or VWATCH_STALE_AFTER_HOURS", () => {
    const from = new Date("2026-11-27T12:00:00Z");
    expect(cronIntervalHours("15 2 * * *", "Etc/UTC", from)).toBe(24);
    expect(cronIntervalHours("5 * * * *", "Etc/UTC", from)).toBe(1);
    expect(cronIntervalHours("0 */6 * * *", "Etc/UTC", from)).toBe(6);
    expect(cronIntervalHours("0 3 * * 1", "Etc/UTC", from)).toBe(168);
    // Weekdays only: Friday's run to Monday's is the longest wait.
    expect(cronIntervalHours("30 6 * * 1-5", "Etc/UTC", from)).toBe(72);
    // Twice a day at uneven hours: the longer of the two gaps.
    expect(cronIntervalHours("0 6,10 * * *", "Etc/UTC", from)).toBe(20);
    // The 1st of each month: the longest month.
    expect(cronIntervalHours("0 4 1 * *", "Etc/UTC", from)).toBe(31 * 24);
    // A daily run in a zone with summer time has one 25 h night a year.
    expect(cronIntervalHours("0 2 * * *", "Europe/Madrid", from)).toBe(25);
    expect(cronIntervalHours("not a cron")).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-serve-settings-"));
    try {
      fs.writeFileSync(path.join(dir, "vwatch.yaml"), 'production:\n  workflows:\n    - id: hourly\n      cron: "10 * * * *"\n');
      expect(serveSettings({ auth: false }, {}, dir).staleAfterHours).toBe(3);
      fs.writeFileSync(path.join(dir, "vwatch.yaml"), 'production:\n  workflows:\n    - id: weekdays\n      cron: "0 7 * * MON-FRI"\n      timeZone: America/Caracas\n');
      expect(serveSettings({ auth: false }, {}, dir).staleAfterHours).toBe(74);
      expect(serveSettings({ auth: false }, { VWATCH_STALE_AFTER_HOURS: "30" }, dir).staleAfterHours).toBe(30);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
