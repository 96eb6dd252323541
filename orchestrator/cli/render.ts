import * as fs from "fs";
import { log } from "../log";
import type { Cli } from "./context";
import { list, parseVars } from "./vars";

interface RenderFlags {
  tags?: string[];
  actions?: string[];
  includeDeps: boolean;
  includeDependents?: boolean;
  vars?: string;
  asOfParam: boolean;
  out?: string;
  json?: boolean;
  storeFailures: boolean;
}

/** The var a scheduled query's run date sets, and the parameter it comes from. */
export const AS_OF_BINDING = { varName: "as_of", parameter: "run_date" };

export function register(cli: Cli): void {
  const render = cli.program.command("render").description("render the project for other runners");
  render
    .command("script")
    .description("the selected actions (with their dependencies) as one BigQuery script for a scheduled query, validated with ZetaSQL")
    .option("--tags <tags...>", "only actions with any of these tags", list)
    .option("--actions <names...>", "only these actions (name or database.schema.name)", list)
    .option("--include-deps", "also the actions the selected ones depend on (the default)", true)
    .option("--no-include-deps", "only the selected actions: their dependencies must be built by something else")
    .option("--include-dependents", "also what depends on the selected actions")
    .option("--vars <k=v,...>", "override workflow_settings.yaml vars (--vars as_of=YYYY-MM-DD fixes the day)")
    .option("--no-as-of-param", "keep as_of as compiled instead of reading the scheduled query's @run_date")
    .option("--no-store-failures", "do not keep each assertion's failing rows in its <assertion>_failures table")
    .option("--out <file>", "write the script to this file instead of stdout")
    .option("--json", "print {script, actions, validation} as JSON")
    .action(
      cli.action(async (opts: RenderFlags) => {
        const config = await cli.config();
        const vars = parseVars(opts.vars);
        const [{ renderScript }, { validateProject, printReport }] = await Promise.all([import("../run/render-script"), import("./validate")]);
        return cli.withSession(config, async (session) => {
          const rendered = await renderScript({
            selection: { tags: opts.tags, actions: opts.actions, includeDeps: opts.includeDeps, includeDependents: opts.includeDependents },
            vars,
            bind: opts.asOfParam ? AS_OF_BINDING : undefined,
            storeFailures: opts.storeFailures,
            compile: (v) => session.graph(v),
            validate: (graph, extra) => validateProject(session, graph, extra),
          });
          if (rendered.report.errors.length) {
            printReport(rendered.report, false, true);
            log.error("the project does not validate: no script rendered (fix the errors above, or run `vwatch validate`)");
            return 2;
          }
          if (opts.json) log.out(JSON.stringify({ script: rendered.script, actions: rendered.actions, asOf: rendered.boundTo ?? null, validation: rendered.report }, null, 2));
          else if (opts.out) fs.writeFileSync(opts.out, rendered.script);
          else log.out(rendered.script.trimEnd());
          log.summary(`rendered ${rendered.actions.length} actions as one BigQuery script${opts.out ? ` in ${opts.out}` : ""}${rendered.boundTo ? `; as_of = ${rendered.boundTo}` : ""}`);
          return 0;
        });
      }),
    );
}
