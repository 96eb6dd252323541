/** `vwatch test`: every case of the project's model test files, each in its own in-memory DuckDB. */
import type { CompiledGraph } from "../compile/graph";
import { CompileError, InputError, VwatchError } from "../errors";
import type { SourceColumn } from "../run/hooks";
import type { ProjectDefaults } from "../sql/names";
import type { ExternalQuery } from "../sql/external-query";
import type { Column } from "../warehouse/warehouse";
import { memoryWarehouse, testTranslations } from "./memory";
import { runCase, type CaseResult } from "./run-case";
import { Schemas } from "./schema";
import { findTestFiles, readTestFile, type TestCase } from "./spec";

export interface TestRunOptions {
  projectDir: string;
  home: string;
  /** Only the tests of these models. */
  models?: string[];
  graph(vars?: Record<string, string>, source?: string): CompiledGraph;
  defaults: ProjectDefaults;
  sourceColumns?(target: { name: string; schema?: string; database?: string }): SourceColumn[] | undefined;
  describe?(query: ExternalQuery, file?: string): Promise<Column[]>;
  /** Told each case's outcome as it ends. */
  onResult?(result: TestResult): void;
}

/** A case's outcome; "error" is a bad test file (its message names the file and line). */
export type TestResult = CaseResult | { file: string; line: number; model: string; name: string; status: "error"; error: string; ms: number };

export async function runModelTests(options: TestRunOptions): Promise<TestResult[]> {
  const files = findTestFiles(options.projectDir);
  const results: TestResult[] = [];
  const cases: TestCase[] = [];
  for (const file of files) {
    try {
      cases.push(...readTestFile(options.projectDir, file));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const result: TestResult = { file, line: 0, model: "?", name: "(file)", status: "error", error: e.message, ms: 0 };
      results.push(result);
      options.onResult?.(result);
    }
  }
  const wanted = options.models;
  for (const m of wanted ?? []) {
    if (!cases.some((c) => c.model === m)) throw new InputError(`--models: no test file tests ${m}; tested models: ${[...new Set(cases.map((c) => c.model))].join(", ") || "none"}`);
  }
  const selected = wanted ? cases.filter((c) => wanted.includes(c.model)) : cases;
  if (!selected.length) return results;

  const translations = testTranslations(options.home);
  const schemaWarehouse = await memoryWarehouse(options.defaults, translations);
  const caseWarehouse = await memoryWarehouse(options.defaults, translations);
  try {
    const schemas = new Schemas(options.graph(), schemaWarehouse, { sourceColumns: options.sourceColumns, describe: options.describe });
    const context = { graph: (vars: Record<string, string>, source: string) => options.graph(Object.keys(vars).length ? vars : undefined, source), schemas, warehouse: caseWarehouse };
    for (const c of selected) {
      const started = performance.now();
      let result: TestResult;
      try {
        result = await runCase(c, context);
      } catch (e) {
        if (!(e instanceof VwatchError)) throw e;
        // A bad test file or vars: exit 2; the model's SQL failing on the rows: the case fails.
        const bad = e instanceof InputError || e instanceof CompileError;
        const message = bad ? e.message : `${c.file}:${c.line}: ${e.message}`;
        result = bad
          ? { file: c.file, line: c.line, model: c.model, name: c.name, status: "error", error: message, ms: performance.now() - started }
          : { file: c.file, line: c.line, model: c.model, name: c.name, status: "fail", diff: [message], rows: 0, ms: performance.now() - started };
      }
      results.push(result);
      options.onResult?.(result);
    }
  } finally {
    await caseWarehouse.close();
    await schemaWarehouse.close();
  }
  return results;
}
