/** `vwatch lineage`: the compiled graph as Mermaid, Graphviz DOT, a standalone SVG or JSON, for docs and pull requests. */
import * as fs from "fs";
import * as path from "path";
import { InputError } from "../errors";
import { log } from "../log";
import type { Cli } from "./context";
import { list, parseVars } from "./vars";

const FORMATS = ["mermaid", "dot", "svg", "json"] as const;
type Format = (typeof FORMATS)[number];

interface LineageFlags {
  format: string;
  tags?: string[];
  actions?: string[];
  includeDeps?: boolean;
  includeDependents?: boolean;
  vars?: string;
  out?: string;
}

export function register(cli: Cli): void {
  cli.program
    .command("lineage")
    .description("print the dependency graph of the compiled project as a Mermaid flowchart, Graphviz DOT, an SVG or JSON")
    .option("--format <format>", `${FORMATS.join(", ")}`, "mermaid")
    .option("--tags <tags...>", "only actions with any of these tags", list)
    .option("--actions <names...>", "only these actions (name or database.schema.name)", list)
    .option("--include-deps", "also what the selected actions depend on")
    .option("--include-dependents", "also what depends on the selected actions")
    .option("--vars <k=v,...>", "override workflow_settings.yaml vars")
    .option("--out <file>", "write it to this file instead of stdout")
    .action(
      cli.action(async (opts: LineageFlags) => {
        if (!(FORMATS as readonly string[]).includes(opts.format)) throw new InputError(`--format must be one of ${FORMATS.join(", ")}, got "${opts.format}"`);
        if (opts.out && !fs.existsSync(path.dirname(path.resolve(opts.out)))) throw new InputError(`--out ${opts.out}: the folder ${path.dirname(opts.out)} does not exist`);
        const config = await cli.config();
        const vars = parseVars(opts.vars);
        const { checkVars } = await import("../compile/vars");
        checkVars(config.projectDir, vars, "--vars");
        const text = await cli.withSession(config, async (session) => {
          const [{ selectActions }, { lineageGraph }] = await Promise.all([import("../plan/select"), import("../lineage/graph")]);
          const graph = session.graph(vars);
          const selection = { tags: opts.tags, actions: opts.actions, includeDeps: opts.includeDeps, includeDependents: opts.includeDependents };
          const selected = opts.tags?.length || opts.actions?.length ? selectActions(graph, selection) : undefined;
          return render(lineageGraph(graph, selected), opts.format as Format);
        });
        if (opts.out) {
          fs.writeFileSync(opts.out, text);
          log.summary(`wrote the lineage (${opts.format}) to ${opts.out}`);
        } else log.out(text);
        return 0;
      }),
    );
}

async function render(graph: import("../lineage/graph").LineageGraph, format: Format): Promise<string> {
  switch (format) {
    case "mermaid":
      return (await import("../lineage/mermaid")).renderMermaid(graph);
    case "dot":
      return (await import("../lineage/dot")).renderDot(graph);
    case "svg":
      return (await import("../lineage/svg")).renderSvg(graph);
    case "json":
      return `${JSON.stringify(graph, null, 2)}\n`;
  }
}
