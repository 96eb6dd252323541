import { targetName } from "../compile/graph";
import { formatTable, log } from "../log";
import type { Cli } from "./context";
import { parseVars } from "./vars";
import { validateAndReport } from "./validate";

export function register(cli: Cli): void {
  cli.program
    .command("compile")
    .description("compile the Dataform project with @dataform/core (in-process)")
    .option("--json", "print the compiled graph as JSON (as `dataform compile --json` does)")
    .option("--vars <k=v,...>", "override workflow_settings.yaml vars")
    .option("--validate", "then check every BigQuery statement offline, as `vwatch validate` does (exit 2 on errors)")
    .action(
      cli.action(async (opts: { json?: boolean; vars?: string; validate?: boolean }) => {
        const config = await cli.config();
        const vars = parseVars(opts.vars);
        const { checkVars } = await import("../compile/vars");
        checkVars(config.projectDir, vars, "--vars");
        if (opts.json) {
          // Print the graph even when it has errors, as the official CLI does; then fail.
          const { compileProject } = await import("../compile/compile");
          const graph = compileProject({ projectDir: config.projectDir, projectConfigOverride: vars ? { vars } : undefined });
          log.out(JSON.stringify(graph, null, 4));
        }
        return cli.withSession(config, async (session) => {
          const graph = session.graph(vars);
          if (opts.json) return opts.validate ? validateAndReport(session, graph, { stderr: true }) : 0;
          const rows = [
            ...(graph.declarations ?? []).map((a) => [targetName(a.target), "declaration", a.fileName, ""]),
            ...(graph.tables ?? []).map((a) => [targetName(a.target), String(a.enumType ?? a.type).toLowerCase(), a.fileName, (a.tags ?? []).join(",")]),
            ...(graph.operations ?? []).map((a) => [targetName(a.target), "operation", a.fileName, (a.tags ?? []).join(",")]),
            ...(graph.assertions ?? []).map((a) => [targetName(a.target), "assertion", a.fileName, (a.tags ?? []).join(",")]),
          ];
          log.out(formatTable(["action", "type", "file", "tags"], rows));
          log.info(`compiled ${rows.length} action(s)`);
          return opts.validate ? validateAndReport(session, graph) : 0;
        });
      }),
    );
}
