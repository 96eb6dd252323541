import { log } from "../orchestrator/log";
import { backfillFigures, benchBackfill } from "./backfill";
import { benchCliStart } from "./cli-start";
import { benchCompile } from "./compile";
import { benchLineagePage } from "./lineage";
import { benchFetch } from "./fetch";
import { benchNpmStart } from "./npm-start";
import { benchModelTest } from "./model-test";
import { benchLocalRun } from "./run";
import { benchSpikes, spikeFigures } from "./spikes";
import { figuresTable, met, type Figure } from "./util";
import { benchWebPages } from "./web";
import { benchWriteBack } from "./write-back";

/**
 * npm run bench: every benchmark in turn, then issue 11's speed figures with their goals. The
 * spike pipeline runs at 10 M and at 1 M mention rows; BENCH_ROWS runs it at that size only.
 */
async function main() {
  log.setQuiet(true);
  const figures: Figure[] = [];
  log.out("== CLI start ==");
  figures.push(...benchCliStart());
  log.out("\n== npm start ==");
  figures.push(...benchNpmStart());
  log.out("\n== compile ==");
  benchCompile();
  log.out("\n== lineage page ==");
  figures.push(...(await benchLineagePage()));
  log.out("\n== fetch gdelt from a local mirror ==");
  await benchFetch();
  log.out("\n== model tests ==");
  figures.push(...benchModelTest());
  log.out("\n== local run ==");
  await benchLocalRun();
  const sizes = process.env.BENCH_ROWS ? [Number(process.env.BENCH_ROWS)] : [10_000_000, 1_000_000];
  for (const rows of sizes) {
    log.out(`\n== spike pipeline at ${rows} mention rows ==`);
    const web: Figure[] = [];
    // The web view's pages at the benchmark's size (issue 15), on the home the pipeline built.
    const withBuilt = rows >= 10_000_000 || process.env.BENCH_ROWS ? async (home: string) => {
      log.out(`\n== web view at ${rows} mention rows ==`);
      web.push(...(await benchWebPages(home, `${rows / 1e6} M rows`)));
    } : undefined;
    figures.push(...spikeFigures(await benchSpikes({ rows, withBuilt })), ...web);
  }
  log.out("\n== write-back to PostgreSQL ==");
  await benchWriteBack();
  log.out("\n== 90-day backfill (issue 16) ==");
  figures.push(...backfillFigures(await benchBackfill()));
  log.out("\n== speed figures (issues 11 and 16) ==");
  log.out(figuresTable(figures));
  log.out(`${figures.filter(met).length} of ${figures.length} goals met`);
}

main().catch((e) => {
  log.error(e?.stack ?? String(e));
  process.exit(1);
});
