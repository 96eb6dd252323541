import type { CompiledGraph } from "../compile/graph";
import { InputError } from "../errors";
import { log } from "../log";
import type { Session } from "../run/session";
import { formatDiagnostic, type ValidationReport } from "../validate/report";
import type { ValidateOptions } from "../validate/validate";
import type { Cli } from "./context";
import { parseVars } from "./vars";

export function register(cli: Cli): void {
  cli.program
    .command("validate")
    .description("check every statement the project runs on BigQuery offline, with ZetaSQL (BigQuery's SQL front end)")
    .option("--json", "print the report as JSON")
    .option("--vars <k=v,...>", "override workflow_settings.yaml vars")
    .option("--script <file>", "check a script `vwatch render script` wrote instead of the project's plan")
    .action(
      cli.action(async (opts: { json?: boolean; vars?: string; script?: string }) => {
        const config = await cli.config();
        if (opts.script) return validateScriptFile(cli, opts.script, opts);
        return cli.withSession(config, (session) => validateAndReport(session, session.graph(parseVars(opts.vars)), { json: Boolean(opts.json) }));
      }),
    );
}

/** `validate --script FILE`: the rendered script's statements in order, against the project's sources. */
async function validateScriptFile(cli: Cli, file: string, opts: { json?: boolean; vars?: string }): Promise<number> {
  const config = await cli.config();
  const fs = await import("fs");
  if (!fs.existsSync(file)) throw new InputError(`--script: ${file} not found; write one with \`vwatch render script --out ${file}\``);
  const script = fs.readFileSync(file, "utf8");
  const { validateScript } = await import("../validate/rendered-script");
  return cli.withSession(config, async (session) => {
    const report = await validateProject(session, session.graph(parseVars(opts.vars)), {}, (graph, options) => validateScript(graph, script, file, options));
    printReport(report, Boolean(opts.json));
    return report.errors.length ? 2 : 0;
  });
}

/** Validates, prints the report and returns exit code 2 when a statement has an error (as compile errors do). */
export async function validateAndReport(session: Session, graph: CompiledGraph, options: { json?: boolean; stderr?: boolean } = {}): Promise<number> {
  const report = await validateProject(session, graph);
  printReport(report, Boolean(options.json), Boolean(options.stderr));
  return report.errors.length ? 2 : 0;
}

/** Validates a compiled graph; declared sources and EXTERNAL_QUERY columns come from the product's hooks. */
export async function validateProject(
  session: Session,
  graph: CompiledGraph,
  extra: Pick<ValidateOptions, "onWarehouseState"> = {},
  validate?: (graph: CompiledGraph, options: ValidateOptions) => Promise<ValidationReport>,
): Promise<ValidationReport & { seconds: number }> {
  const started = process.hrtime.bigint();
  // The gRPC client and its protos load only when validation runs, not for every command.
  const { validateGraph } = await import("../validate/validate");
  const { appSchemaDescriber } = await import("../validate/app-schema");
  const { hooks, config } = session;
  const schema = hooks.externalQuerySchema?.();
  const describer = schema && appSchemaDescriber({ home: config.home, schemaSql: schema.sql, schemaFile: schema.file, postgres: () => session.postgres() });
  try {
    const options: ValidateOptions = { projectDir: config.projectDir, describeExternalQuery: describer?.describe, sourceColumns: hooks.sourceColumns, ...extra };
    const report = await (validate ?? validateGraph)(graph, options);
    return { ...report, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
  } finally {
    await describer?.close();
  }
}

/**
 * One line per failing statement (`file:line:col: message (action)`) and the summary on stdout;
 * what could not be checked as warnings, actions skipped because of the same upstream failure
 * on one line. `toStderr` keeps stdout for the JSON graph of `compile --json --validate`.
 */
export function printReport(report: ValidationReport & { seconds?: number }, json: boolean, toStderr = false): void {
  if (json) {
    log.out(JSON.stringify(report, null, 2));
    return;
  }
  const out = toStderr ? (line: string) => process.stderr.write(`${line}\n`) : (line: string) => log.out(line);
  for (const d of report.errors) out(formatDiagnostic(d));
  for (const d of report.notValidated.filter((n) => !n.blockedBy)) log.warn(formatDiagnostic(d));
  const blocked = new Map<string, string[]>();
  for (const d of report.notValidated) if (d.blockedBy) blocked.set(d.blockedBy, [...(blocked.get(d.blockedBy) ?? []), d.action]);
  for (const [root, actions] of blocked) {
    const names = actions.map((a) => a.split(".").pop());
    log.warn(`${actions.length} action(s) reading ${root} (directly or not) were not validated: ${names.slice(0, 6).join(", ")}${names.length > 6 ? ", …" : ""}`);
  }
  const k = report.errors.length;
  const skipped = report.notValidated.length;
  out(
    `validated ${report.statements} statements of ${report.actions} actions: ${k} error${k === 1 ? "" : "s"}` +
      (skipped ? `, ${skipped} action${skipped === 1 ? "" : "s"} not validated` : "") +
      (report.seconds !== undefined ? ` (${report.seconds.toFixed(2)}s)` : ""),
  );
}
