import { log } from "../orchestrator/log";
import { benchCompile } from "./compile";
import { benchLocalRun } from "./run";

/** npm run bench: every benchmark in turn. BENCH_ROWS makes the large ones smaller. */
async function main() {
  log.setQuiet(true);
  log.out("== compile ==");
  benchCompile();
  log.out("\n== local run ==");
  await benchLocalRun();
  for (const [title, file, fn] of [
    ["spike pipeline at scale", "./spikes", "benchSpikes"],
    ["write-back to PostgreSQL", "./write-back", "benchWriteBack"],
  ]) {
    log.out(`\n== ${title} ==`);
    const mod = await import(file);
    await mod[fn]();
  }
}

main().catch((e) => {
  log.error(e?.stack ?? String(e));
  process.exit(1);
});
