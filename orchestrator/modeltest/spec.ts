/**
 * Model test files (`definitions/**\/*.test.yaml`), read with the line of every case, row and
 * value, so that errors and failures name `file:line`. The official Dataform compile reads only
 * .sqlx and .js files under definitions/, so these files are invisible to it.
 *
 *   model: mention_spikes          # the model under test
 *   vars: {as_of: "2024-01-08"}    # optional, for every case (a case's own vars are added on top)
 *   tolerance: 1e-9                # optional: numbers match when |got - want| <= tolerance * max(1, |want|)
 *   cases:
 *     - name: a single burst
 *       incremental: true          # optional: run the model's incremental form on `this`
 *       this: [ {…} ]              # the model's rows before the run
 *       given: {input: [ {…} ]}    # rows of every input it reads (only the columns that matter)
 *       expect: [ {…} ]            # the model's rows after the run (only the columns listed)
 */
import * as fs from "fs";
import * as path from "path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from "yaml";
import { InputError } from "../errors";

export type Value = string | number | boolean | null | Record<string, unknown> | unknown[];

export interface Row {
  line: number;
  values: { column: string; value: Value; line: number }[];
}

export interface TestCase {
  name: string;
  file: string;
  line: number;
  model: string;
  /** The line of `model:`. */
  modelLine: number;
  vars: Record<string, string>;
  /** Where the vars are set, for errors about them: the case's `vars:`, else the file's. */
  varsLine: number;
  tolerance: number;
  incremental: boolean;
  self: Row[];
  given: { input: string; line: number; rows: Row[] }[];
  expect: Row[];
  expectLine: number;
}

export const DEFAULT_TOLERANCE = 1e-9;

/** Every `*.test.yaml` under definitions/, relative to the project, sorted. */
export function findTestFiles(projectDir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const dir = path.join(projectDir, rel);
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.name.endsWith(".test.yaml") || e.name.endsWith(".test.yml")) out.push(child);
    }
  };
  walk("definitions");
  return out.sort();
}

/** The cases of one test file (`file` relative to the project, as errors name it). */
export function readTestFile(projectDir: string, file: string): TestCase[] {
  const text = fs.readFileSync(path.join(projectDir, file), "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const lineOf = (node: unknown) => lines.linePos((node as { range?: [number] } | null)?.range?.[0] ?? 0).line;
  const fail = (node: unknown, message: string): never => {
    throw new InputError(`${file}:${lineOf(node)}: ${message}`);
  };
  if (doc.errors.length) {
    const e = doc.errors[0];
    throw new InputError(`${file}:${e.linePos?.[0].line ?? 1}: not valid YAML: ${e.message.split("\n")[0]}`);
  }
  const top = doc.contents;
  if (!isMap(top)) return fail(top, "a model test file is a map with `model:` and `cases:`");
  const keys = (map: YAMLMap, allowed: string[], what: string) => {
    for (const pair of map.items) {
      const key = String((pair.key as { value?: unknown })?.value);
      if (!allowed.includes(key)) fail(pair.key, `unknown key "${key}" in ${what}; expected one of ${allowed.join(", ")}`);
    }
  };
  keys(top, ["model", "vars", "tolerance", "cases"], "a test file");
  const model = top.get("model", true);
  if (!isScalar(model) || typeof model.value !== "string" || !model.value) return fail(top, "`model:` must name the model under test");
  const tolerance = (node: unknown, fallback: number) => {
    if (node === undefined) return fallback;
    if (!isScalar(node) || typeof node.value !== "number" || node.value < 0) return fail(node, "`tolerance:` must be a number >= 0");
    return node.value;
  };
  const fileVars = readVars(top.get("vars", true), fail);
  const fileTolerance = tolerance(top.get("tolerance", true), DEFAULT_TOLERANCE);
  const cases = top.get("cases", true);
  if (!isSeq(cases) || !cases.items.length) return fail(cases ?? top, "`cases:` must list at least one case");
  return cases.items.map((item, i): TestCase => {
    if (!isMap(item)) return fail(item, "a case is a map with `name:`, `given:` and `expect:`");
    keys(item, ["name", "vars", "tolerance", "incremental", "this", "given", "expect"], "a case");
    const name = item.get("name", true);
    const incremental = item.get("incremental", true);
    if (incremental !== undefined && !(isScalar(incremental) && typeof incremental.value === "boolean")) fail(incremental, "`incremental:` must be true or false");
    const isIncremental = Boolean((incremental as { value?: boolean } | undefined)?.value);
    if (item.has("this") && !isIncremental) fail(item.get("this", true), "`this:` (the model's prior rows) needs `incremental: true`");
    const given = item.get("given", true);
    if (given !== undefined && !isMap(given)) fail(given, "`given:` maps each input the model reads to its rows");
    const expect = item.get("expect", true);
    if (expect === undefined) fail(item, "a case needs `expect:` (the rows the model gives; [] for none)");
    return {
      name: isScalar(name) ? String(name.value) : `case ${i + 1}`,
      file,
      line: lineOf(item),
      model: String(model.value),
      modelLine: lineOf(model),
      vars: { ...fileVars, ...readVars(item.get("vars", true), fail) },
      varsLine: lineOf(item.get("vars", true) ?? top.get("vars", true) ?? item),
      tolerance: tolerance(item.get("tolerance", true), fileTolerance),
      incremental: isIncremental,
      self: readRows(item.get("this", true), fail, lineOf),
      given: given && isMap(given) ? given.items.map((p) => ({ input: String((p.key as { value?: unknown }).value), line: lineOf(p.key), rows: readRows(p.value, fail, lineOf) })) : [],
      expect: readRows(expect, fail, lineOf),
      expectLine: lineOf(expect),
    };
  });
}

type Fail = (node: unknown, message: string) => never;

function readVars(node: unknown, fail: Fail): Record<string, string> {
  if (node === undefined) return {};
  if (!isMap(node)) return fail(node, "`vars:` maps var names to values");
  const out: Record<string, string> = {};
  for (const p of node.items) {
    const v = p.value;
    if (!isScalar(v) || v.value === null || typeof v.value === "object") fail(v ?? p.key, "a var's value is a single value");
    out[String((p.key as { value?: unknown }).value)] = String((v as { value: unknown }).value);
  }
  return out;
}

function readRows(node: unknown, fail: Fail, lineOf: (n: unknown) => number): Row[] {
  if (node === undefined || (isScalar(node) && node.value === null)) return [];
  if (!isSeq(node)) return fail(node, "rows are a list of maps, one per row ([] for none)");
  return node.items.map((item): Row => {
    if (!isMap(item)) return fail(item, "a row is a map of column names to values");
    return {
      line: lineOf(item),
      values: item.items.map((p) => ({
        column: String((p.key as { value?: unknown }).value),
        value: (isScalar(p.value) ? p.value.value : (p.value as Node | null)?.toJSON()) as Value,
        line: lineOf(p.key),
      })),
    };
  });
}
