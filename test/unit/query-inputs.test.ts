import { describe, expect, it } from "vitest";
import { InputError } from "../../orchestrator/errors";
import { parseBucket, parseEventType, parseLimit, parseRange, parseTimeBound } from "../../orchestrator/query/inputs";
import { recentEventsQuery } from "../../orchestrator/query/recent-events";
import { riskTrendsQuery } from "../../orchestrator/query/risk-trends";
import { trendingQuery } from "../../orchestrator/query/trending";

const tables = { events: "`p.d.events`", entity_mentions: "`p.d.entity_mentions`", entities: "`p.d.entities`" };
const inputError = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error("expected an InputError");
};

describe("time bounds", () => {
  it("reads a bare day as its first microsecond for --from and its last for --to", () => {
    expect(parseTimeBound("2024-03-01", "--from", "start")).toEqual({ param: "2024-03-01 00:00:00.000000", iso: "2024-03-01T00:00:00.000000Z" });
    expect(parseTimeBound("2024-03-01", "--to", "end")).toEqual({ param: "2024-03-01 23:59:59.999999", iso: "2024-03-01T23:59:59.999999Z" });
  });

  it("keeps a timestamp as given (UTC without a zone), converting an offset to UTC", () => {
    expect(parseTimeBound("2024-03-01T12:30", "--to", "end").param).toBe("2024-03-01 12:30:00.000000");
    expect(parseTimeBound("2024-03-01 12:30:05.25Z", "--to", "end").param).toBe("2024-03-01 12:30:05.250000");
    expect(parseTimeBound("2024-03-01T01:00:00.123456-04:30", "--to", "end").param).toBe("2024-03-01 05:30:00.123456");
    expect(parseTimeBound("2024-03-01T01:00:00+02", "--to", "end").param).toBe("2024-02-29 23:00:00.000000");
  });

  it("refuses impossible dates and anything else", () => {
    expect(inputError(() => parseTimeBound("2023-02-29", "--from", "start"))).toBe('--from is not a valid date or time: "2023-02-29"');
    expect(inputError(() => parseTimeBound("2024-03-01T24:00", "--to", "end"))).toMatch(/not a valid date or time/);
    expect(inputError(() => parseTimeBound("yesterday", "--to", "end"))).toMatch(/--to must be a day YYYY-MM-DD or a UTC timestamp/);
    expect(inputError(() => parseRange("2024-03-02", "2024-03-01"))).toMatch(/is after --to/);
  });
});

describe("limits, buckets and types", () => {
  it("accepts 1 to 10000", () => {
    expect(parseLimit(undefined, 20)).toBe(20);
    expect(parseLimit("10000", 20)).toBe(10000);
    for (const bad of ["0", "10001", "1.5", "-1", "1e3", "5 or 1=1"]) expect(inputError(() => parseLimit(bad, 20))).toMatch(/--limit must be a whole number from 1 to 10000/);
  });

  it("accepts day, week and month", () => {
    expect(parseBucket("Week")).toBe("week");
    expect(inputError(() => parseBucket("quarter"))).toBe('--bucket must be day, week or month, got "quarter"');
  });

  it("takes any non-empty event type as text", () => {
    expect(parseEventType(" protest ")).toBe("protest");
    expect(parseEventType(undefined)).toBeUndefined();
    expect(inputError(() => parseEventType("  "))).toBe("--type must not be empty");
  });
});

describe("the queries keep user input out of the SQL", () => {
  const hostile = "'; drop table events; --";
  const range = parseRange("2024-03-01", "2024-03-02");

  it("recent-events binds from, to, type and limit", () => {
    const q = recentEventsQuery(tables, { ...range, eventType: hostile, limit: 7 });
    expect(q.sql).not.toContain(hostile);
    expect(q.sql).toContain("where mentioned_at between timestamp(@from_time) and timestamp(@to_time)\n    and event_type = @event_type");
    expect(q.params).toEqual({ from_time: "2024-03-01 00:00:00.000000", to_time: "2024-03-02 23:59:59.999999", event_type: hostile, row_limit: 7 });
    expect(recentEventsQuery(tables, { ...range, limit: 7 }).sql).not.toContain("@event_type");
  });

  it("trending binds the reference time, the window, the half-life and the limit", () => {
    const q = trendingQuery(tables, { asOf: parseTimeBound("2024-03-31", "--as-of", "end"), limit: 3 });
    expect(q.params).toEqual({ as_of: "2024-03-31 23:59:59.999999", window_us: 30 * 86_400_000_000, half_life_us: 7 * 86_400_000_000, row_limit: 3 });
    expect(q.sql).toContain("select timestamp(@as_of) as reference_time");
    expect(trendingQuery(tables, { limit: 3 }).sql).toContain("select max(mentioned_at) as reference_time from `p.d.entity_mentions`");
  });

  it("risk-trends picks the bucket expression from a fixed list", () => {
    expect(riskTrendsQuery(tables, { ...range, bucket: "week" }).sql).toContain("date_trunc(day, week) as bucket_start");
    expect(riskTrendsQuery(tables, { ...range, bucket: "month" }).sql).toContain("date_trunc(day, month) as bucket_start");
    expect(riskTrendsQuery(tables, { ...range, bucket: "day" }).sql).toContain("    day as bucket_start");
  });
});
