import type { Command } from "commander";
import { compileProject } from "../compile/compile";
import { checkVars } from "../compile/vars";
import { targetName } from "../compile/graph";
import { loadConfig } from "../config";
import { formatTable, log } from "../log";
import { compileWithVars } from "../run/execute";
import { parseVars } from "./run";
import { validateAndReport } from "./validate";

export function register(program: Command): void {
  program
    .command("compile")
    .description("compile the Dataform project with @dataform/core (in-process)")
    .option("--json", "print the compiled graph as JSON (as `dataform compile --json` does)")
    .option("--vars <k=v,...>", "override workflow_settings.yaml vars")
    .option("--validate", "then check every BigQuery statement offline, as `vwatch validate` does (exit 2 on errors)")
    .action(async (opts) => {
      const config = loadConfig(program.opts());
      const vars = parseVars(opts.vars);
      checkVars(config.projectDir, vars, "--vars");
      if (opts.json) {
        // Print the graph even when it has errors, as the official CLI does; then fail.
        const graph = compileProject({ projectDir: config.projectDir, projectConfigOverride: vars ? { vars } : undefined });
        log.out(JSON.stringify(graph, null, 4));
      }
      const graph = compileWithVars(config, vars);
      if (opts.json) return opts.validate ? validateAndReport(config, graph, { stderr: true }) : undefined;
      const rows = [
        ...(graph.declarations ?? []).map((a) => [targetName(a.target), "declaration", a.fileName, ""]),
        ...(graph.tables ?? []).map((a) => [targetName(a.target), String(a.enumType ?? a.type).toLowerCase(), a.fileName, (a.tags ?? []).join(",")]),
        ...(graph.operations ?? []).map((a) => [targetName(a.target), "operation", a.fileName, (a.tags ?? []).join(",")]),
        ...(graph.assertions ?? []).map((a) => [targetName(a.target), "assertion", a.fileName, (a.tags ?? []).join(",")]),
      ];
      log.out(formatTable(["action", "type", "file", "tags"], rows));
      log.info(`compiled ${rows.length} action(s)`);
      if (opts.validate) await validateAndReport(config, graph);
    });
}
