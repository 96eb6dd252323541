import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseVars } from "../../orchestrator/cli/vars";
import { nearest } from "../../orchestrator/compile/vars";
import { loadVarSchema } from "../../orchestrator/compile/var-schema";
import { extractExternalQueries } from "../../orchestrator/sql/external-query";
import { repoRoot } from "../helpers/project";

describe("--vars parsing", () => {
  it("reads k=v pairs, with a code list's commas kept in its value", () => {
    expect(parseVars("z_threshold=1.5, focus_actor_codes=VEN,COL, BRA ,lookback_days=10")).toEqual({
      z_threshold: "1.5",
      focus_actor_codes: "VEN,COL, BRA",
      lookback_days: "10",
    });
  });

  it("refuses a first part without =, an empty key and a key given twice", () => {
    expect(() => parseVars("z_threshold")).toThrow('--vars expects k=v,k2=v2; got "z_threshold"');
    expect(() => parseVars("=1")).toThrow('--vars expects k=v,k2=v2; got "=1"');
    expect(() => parseVars("z_threshold=1,z_threshold=2")).toThrow('--vars: "z_threshold" is given twice');
  });
});

describe("the var schema's rules", () => {
  const schema = loadVarSchema(repoRoot)!;

  it.each([
    ["app_connection", "my-project.us.my-connection"],
    ["app_connection", "venezuelawatch.europe-west2.app_pg"],
    ["as_of", ""],
    ["as_of", "2024-02-29"],
    ["focus_actor_codes", "VEN, COL"],
    ["focus_geo_codes", ""],
    ["z_threshold", "0"],
    ["z_threshold", "2.75"],
    ["min_stddev", "0.01"],
    ["lookback_days", "365"],
  ])("accepts %s = %j", (name, value) => {
    expect(schema.check(name, value)).toBeUndefined();
  });

  it.each([
    ["app_connection", "my-project.us.conn,x"],
    ["app_connection", "my-project.us.conn'"],
    ["app_connection", "My-Project.us.conn"],
    ["app_connection", "short.us.conn"],
    ["app_connection", "my-project.us"],
    ["as_of", "2023-02-29"],
    ["as_of", "20240101"],
    ["focus_actor_codes", "VEN,"],
    ["z_threshold", "-1"],
    ["z_threshold", "0x10"],
    ["lookback_days", "1.5"],
    ["lookback_days", "4000"],
    ["min_stddev", "0"],
  ])("refuses %s = %j, naming the var and the value", (name, value) => {
    const problem = schema.check(name, value);
    expect(problem?.startsWith(`var "${name}" must be `)).toBe(true);
    expect(problem?.endsWith(`, got ${JSON.stringify(value)}`)).toBe(true);
  });
});

describe("the connection id in SQL", () => {
  // includes/vars.js reads the global `dataform` core provides; a stand-in with valid vars.
  let quote: (text: string) => string;
  beforeAll(async () => {
    const vars = Object.fromEntries(loadVarSchema(repoRoot)!.names().map((n) => [n, n === "as_of" ? "" : n === "app_connection" ? "p-roject.us.c" : n.startsWith("focus") ? "" : "1"]));
    (globalThis as { dataform?: unknown }).dataform = { projectConfig: { vars } };
    quote = (await import(path.join(repoRoot, "includes", "vars.js"))).quote;
  });
  afterAll(() => {
    delete (globalThis as { dataform?: unknown }).dataform;
  });

  it.each(['a", "select lo_create(1)::bigint as id', "a\\\", \"x", "a\nb'c"])("is one BigQuery string literal whatever the text (%j)", (text) => {
    const [q] = extractExternalQueries(`select * from EXTERNAL_QUERY(${quote(text)}, """select 1 as id""")`).queries;
    expect(q.connection).toBe(text);
    expect(q.sql).toBe("select 1 as id");
  });
});

describe("suggestions for a mistyped var", () => {
  it("names the closest var within a typo's distance", () => {
    const known = ["lookback_days", "z_threshold", "min_stddev", "medium_z", "high_z"];
    expect(nearest("z_treshold", known)).toBe("z_threshold");
    expect(nearest("Z_THRESHOLD", known)).toBe("z_threshold");
    expect(nearest("min_stdev", known)).toBe("min_stddev");
    expect(nearest("colour", known)).toBeUndefined();
  });
});
