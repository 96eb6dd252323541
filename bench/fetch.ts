import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { main } from "../orchestrator/cli/main";
import { formatTable, log } from "../orchestrator/log";
import { startMirror } from "../test/helpers/download-mirror";
import { median } from "./util";

/**
 * `vwatch fetch gdelt` against a local mirror (loopback, in this process) serving the 8 bundled
 * real files as GDELT publishes them (2.0 MB of zips, 45,917 rows): download+verify alone
 * (`--no-load`), the whole fetch+load into a fresh home, and `vwatch load gdelt` of the same
 * files for comparison; each the median of REPEATS runs in fresh homes. No goal: the mirror is
 * not GDELT's server, so this shows what vwatch itself costs per file, not the network.
 */
const REPEATS = 3;
const RANGE = ["--from", "20150218230000", "--to", "20150218234500"];

export async function benchFetch(): Promise<Record<string, number>> {
  const mirror = await startMirror();
  const homes: string[] = [];
  const fresh = () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-bench-fetch-"));
    homes.push(home);
    return home;
  };
  const timed = async (args: string[]) => {
    // The commands' own tables and summaries are not this benchmark's output.
    const [out, err] = [process.stdout.write, process.stderr.write];
    process.stdout.write = process.stderr.write = (() => true) as typeof process.stdout.write;
    const started = process.hrtime.bigint();
    let code: number;
    try {
      code = await main(["-q", ...args]);
    } finally {
      [process.stdout.write, process.stderr.write] = [out, err];
    }
    if (code !== 0) throw new Error(`vwatch ${args.join(" ")} exited ${code}`);
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  const saved = { ...process.env };
  Object.assign(process.env, mirror.env);
  try {
    const bytes = mirror.files.reduce((a, f) => a + f.size, 0);
    const rows = 8709 + 37208; // samples/SOURCES.md
    const download: number[] = [];
    const whole: number[] = [];
    const load: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const only = fresh();
      download.push(await timed(["--home", only, "fetch", "gdelt", ...RANGE, "--no-load"]));
      whole.push(await timed(["--home", fresh(), "fetch", "gdelt", ...RANGE]));
      const dir = path.join(only, "downloads", "gdelt");
      const files = fs.readdirSync(dir).filter((n) => n.endsWith(".zip")).map((n) => path.join(dir, n));
      load.push(await timed(["--home", fresh(), "load", "gdelt", ...files]));
    }
    const figures = { files: mirror.files.length, megabytes: bytes / 1e6, rows, download: median(download), fetchAndLoad: median(whole), load: median(load) };
    log.out(
      formatTable(
        ["step", "median s", "MB/s", "files/s", "rows/s"],
        [
          ["download+verify (--no-load)", figures.download.toFixed(3), (figures.megabytes / figures.download).toFixed(1), (figures.files / figures.download).toFixed(1), ""],
          ["download+verify+load", figures.fetchAndLoad.toFixed(3), (figures.megabytes / figures.fetchAndLoad).toFixed(1), (figures.files / figures.fetchAndLoad).toFixed(1), Math.round(rows / figures.fetchAndLoad).toString()],
          ["vwatch load gdelt of the same files", figures.load.toFixed(3), "", (figures.files / figures.load).toFixed(1), Math.round(rows / figures.load).toString()],
        ],
      ),
    );
    return figures;
  } finally {
    for (const k of Object.keys(mirror.env)) if (saved[k] === undefined) delete process.env[k];
    Object.assign(process.env, saved);
    await mirror.close();
    for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
  }
}

if (require.main === module) {
  log.setQuiet(true);
  benchFetch().catch((e) => {
    log.error(e?.stack ?? String(e));
    process.exit(1);
  });
}
