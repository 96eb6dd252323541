import type { SeedResult } from "../app/seed";
import { formatTable, log } from "../log";
import type { RunRecord } from "../run/results";
import { readResults, resultsFile } from "../run/results";
import type { Session } from "../run/session";
import { requireBuilt } from "../query/built";
import type { Cli } from "./context";

/** Creates the application's tables where missing (local PostgreSQL); never changes existing ones. */
export async function ensureAppSchema(session: Session): Promise<void> {
  const { appSchema } = await import("../app/schema");
  await (await session.postgres()).execute(appSchema());
}

export async function seed(session: Session): Promise<SeedResult> {
  const { SEED_READS, seedAppData } = await import("../app/seed");
  const { replayedVars } = await import("../compile/vars");
  const home = session.config.home;
  // The models as the last run compiled them (its --vars), so the same tables are read; checked
  // before PostgreSQL is reached (or the embedded server started).
  // Their tag's run (app) would read the application's tables this command fills: name the models alone.
  const run = `vwatch run --actions ${SEED_READS.join(" ")} --include-deps`;
  const { graph, warehouse } = await requireBuilt(session, SEED_READS, readResults(home)?.options.vars, replayedVars(resultsFile(home)), run);
  return seedAppData(graph, warehouse, await session.postgres());
}

/**
 * What a local demo needs before its run: the application's tables, filled from the focus events.
 * Runs only the models seeding reads (and their dependencies) to get those; the run is returned
 * when it failed, with nothing seeded.
 */
export async function prepareAppData(session: Session): Promise<{ run: RunRecord; seeded?: SeedResult }> {
  const { SEED_READS } = await import("../app/seed");
  const { executeRun } = await import("../run/execute");
  await ensureAppSchema(session);
  const run = await executeRun(session, { actions: SEED_READS, includeDeps: true });
  if (run.summary.failed) return { run };
  return { run, seeded: await seed(session) };
}

function reportSeed(result: SeedResult): void {
  const rows = Object.entries(result).map(([table, r]) => [table, r.read, r.inserted, r.read - r.inserted]);
  log.out(formatTable(["rows", "from warehouse", "inserted", "already there"], rows));
}

export function register(cli: Cli): void {
  cli.program
    .command("seed-app-data")
    .description(
      "create the application's tables (entities_entity, entities_entitymention, events_event) where missing and fill them from " +
        "the focus GDELT events in the warehouse: entities from actor names, mentions from the events' articles, risk dimensions " +
        "by a documented formula; idempotent, one transaction (DATABASE_URL or PG* variables, else embedded PostgreSQL)",
    )
    .option("--schema-only", "only create the tables")
    .option("--json", "print the result as JSON")
    .action(
      cli.action(async (opts: { schemaOnly?: boolean; json?: boolean }) => {
        const config = await cli.config();
        return cli.withSession(config, async (session) => {
          if (opts.schemaOnly) {
            await ensureAppSchema(session);
            log.out("application tables are in place");
            return 0;
          }
          const result = await seed(session);
          if (opts.json) log.out(JSON.stringify(result, null, 2));
          else reportSeed(result);
          return 0;
        });
      }),
    );
}
