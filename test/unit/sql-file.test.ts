import * as fs from "fs";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../orchestrator/errors";
import { fillSql, QUERIES_DIR, querySql, type QueryFill } from "../../orchestrator/query/sql-file";
import { initTranslator, translateToDuckdb } from "../../orchestrator/translate/translate";

const tables = (name: string) => `\`p.d.${name}\``;

const configError = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error("expected a ConfigError");
};

/** Every file of queries/ with every setting of the switches its commands set. */
const FILLS: Record<string, QueryFill["when"][]> = {
  "recent-events": [{ event_type: true }, { event_type: false }],
  "risk-trends": [{ bucket: "day" }, { bucket: "week" }, { bucket: "month" }],
  "trending-reference": [{ as_of: true }, { as_of: false }],
  trending: [{ as_of: true }, { as_of: false }],
  "top-spikes": [{}],
  "explain-series": [{}],
  "explain-recorded-spike": [{}],
  "web-spikes": [
    { from_day: false, to_day: false, event: false, confidence: false },
    { from_day: true, to_day: true, event: true, confidence: true },
    { from_day: true, to_day: false, event: false, confidence: true },
  ],
  "web-event": [{}],
  "web-fred": [{}],
  "web-world-bank": [{}],
  "web-comtrade": [{}],
};

describe("queries/*.sql", () => {
  beforeAll(() => initTranslator());

  it("each file fills to BigQuery SQL the local translator accepts, with no header, marker or placeholder left", () => {
    const files = fs.readdirSync(QUERIES_DIR).filter((f) => f.endsWith(".sql")).map((f) => f.replace(/\.sql$/, ""));
    expect(files.sort()).toEqual(Object.keys(FILLS).sort());
    for (const [name, settings] of Object.entries(FILLS)) {
      for (const when of settings) {
        const sql = querySql(name, { tables, when });
        expect(sql, name).not.toMatch(/^\s*--|\$\{|--\s*if\b/);
        expect(() => translateToDuckdb(sql, { defaultDatabase: "p", defaultSchema: "d", file: `queries/${name}.sql` }), `${name} ${JSON.stringify(when)}`).not.toThrow();
      }
    }
  });

  it("puts an included file at the indent of its line", () => {
    expect(querySql("trending", { tables, when: { as_of: true } })).toMatch(/^with reference as \(\n {2}select timestamp\(@as_of\) as reference_time\n\),\n/);
    expect(querySql("trending-reference", { tables, when: { as_of: false } })).toBe("select max(mentioned_at) as reference_time from `p.d.entity_mentions`");
  });
});

describe("filling a query file", () => {
  const sql = ["select a", "from ${ref(\"t\")}", "where b = @b -- if b", "  and c is null -- if not b", "  and d = 1 -- if kind = one", "  and d = 2 -- if kind = two"].join("\n");

  it("keeps a line ending in `-- if` only when the command's switch says so, without the marker", () => {
    expect(fillSql("x.sql", sql, { tables, when: { b: true, kind: "two" } })).toBe("select a\nfrom `p.d.t`\nwhere b = @b\n  and d = 2");
    expect(fillSql("x.sql", sql, { tables, when: { b: false, kind: "one" } })).toBe("select a\nfrom `p.d.t`\n  and c is null\n  and d = 1");
  });

  it("names tables from what the command gives, and refuses the rest", () => {
    expect(fillSql("x.sql", 'select * from ${ref("events")}', { tables: { events: "`p.d.events`" } })).toBe("select * from `p.d.events`");
    expect(configError(() => fillSql("x.sql", 'select * from ${ref("users")}', { tables: { events: "`p.d.events`" } }))).toBe(
      'x.sql reads ${ref("users")}, which the compiled project does not define or this command does not read',
    );
    expect(configError(() => fillSql("x.sql", "select * from ${events}", { tables }))).toBe('x.sql: ${events} is not a table reference; write ${ref("table_name")}');
  });

  it("refuses a switch the command does not set, so a typo cannot drop a line silently", () => {
    expect(configError(() => fillSql("x.sql", sql, { tables, when: { b: true } }))).toBe('x.sql: "-- if kind" tests a switch the command does not set (it sets: b)');
  });
});
