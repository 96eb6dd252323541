import { log } from "../log";
import type { Cli } from "./context";
import { list } from "./vars";

export function register(cli: Cli): void {
  cli.program
    .command("test")
    .description("run the models' unit tests (definitions/**/*.test.yaml) on an in-memory DuckDB: exit 1 when a case fails, 2 for a bad test file")
    .option("--models <names...>", "only the tests of these models (space- or comma-separated)", list)
    .option("--json", "print the results as JSON")
    .action(
      cli.action(async (opts: { models?: string[]; json?: boolean }) => {
        const config = await cli.config("duckdb");
        const { runModelTests } = await import("../modeltest/run-tests");
        const { formatResult, summary } = await import("../modeltest/report");
        return cli.withSession(config, async (session) => {
          const schema = session.hooks.externalQuerySchema?.();
          const { appSchemaDescriber } = await import("../validate/app-schema");
          const describer = schema && appSchemaDescriber({ home: config.home, schemaSql: schema.sql, schemaFile: schema.file, postgres: () => session.postgres() });
          try {
            const started = performance.now();
            const results = await runModelTests({
              projectDir: config.projectDir,
              home: config.home,
              models: opts.models,
              graph: (vars, source) => session.graph(vars, source),
              defaults: session.project(),
              sourceColumns: session.hooks.sourceColumns,
              describe: describer?.describe,
              onResult: (r) => {
                if (!opts.json) log.out(formatResult(r));
              },
            });
            const { text, code } = summary(results, performance.now() - started);
            if (opts.json) log.out(JSON.stringify({ results, code }, null, 2));
            else log.out(text);
            return code;
          } finally {
            await describer?.close();
          }
        });
      }),
    );
}
