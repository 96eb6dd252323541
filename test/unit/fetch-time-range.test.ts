import { describe, expect, it } from "vitest";
import { parseRange } from "../../orchestrator/fetch/time-range";

const NOW = new Date("2026-11-27T19:40:12.345Z");

describe("the time range of vwatch fetch gdelt", () => {
  it("--days N is the N days ending now", () => {
    expect(parseRange({ days: "2" }, NOW)).toEqual({ from: "20261125194012", to: "20261127194012" });
  });

  it("--from/--to take GDELT times or ISO dates and times (UTC unless zoned); --to defaults to now", () => {
    expect(parseRange({ from: "20150218230000", to: "20150218234500" }, NOW)).toEqual({ from: "20150218230000", to: "20150218234500" });
    expect(parseRange({ from: "2015-02-18", to: "2015-02-18T23:45" }, NOW)).toEqual({ from: "20150218000000", to: "20150218234500" });
    expect(parseRange({ from: "2015-02-18T20:00-03:00" }, NOW)).toEqual({ from: "20150218230000", to: "20261127194012" });
  });

  it("refuses impossible times, reversed ranges, --days with --from and no range at all", () => {
    expect(() => parseRange({ from: "20150230000000" }, NOW)).toThrow(`--from: expected YYYYMMDDHHMMSS (GDELT's file time, UTC) or an ISO date/time such as 2026-11-01T06:00Z, got "20150230000000"`);
    expect(() => parseRange({ from: "yesterday" }, NOW)).toThrow(`got "yesterday"`);
    expect(() => parseRange({ from: "20150219000000", to: "20150218000000" }, NOW)).toThrow("--from 20150219000000 is after --to 20150218000000");
    expect(() => parseRange({ days: "2", from: "20150218000000" }, NOW)).toThrow("give either --days or --from/--to, not both");
    expect(() => parseRange({ days: "0" }, NOW)).toThrow(`--days must be a whole number of days, at least 1, got "0"`);
    expect(() => parseRange({}, NOW)).toThrow("say which files to fetch: --days N (the last N days) or --from TIME [--to TIME]");
  });
});
