import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatTable, log } from "../orchestrator/log";
import type { Figure } from "./util";

/**
 * `npm start`, as the README says to run it, in a fresh home (VWATCH_HOME): the first run (load
 * the bundled sample, seed the application data, run every model, write back, report) and a
 * repeat on the same home. PostgreSQL is the embedded server (DATABASE_URL and PG* unset), and
 * bench/count-postgres-starts.js, preloaded into the processes npm starts, counts how many times
 * each run starts it.
 */
const root = path.join(__dirname, "..");
const counter = path.join(__dirname, "count-postgres-starts.js");

export function benchNpmStart(): Figure[] {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-bench-start-"));
  try {
    const runs = ["first", "repeat"].map((label) => ({ label, ...npmStart(home, path.join(home, `${label}.pg-starts`)) }));
    log.out(formatTable(["npm start (fresh home, embedded PostgreSQL)", "seconds", "PostgreSQL starts"], runs.map((r) => [r.label, r.seconds.toFixed(2), r.starts])));
    const [first, repeat] = runs;
    return [
      { name: "npm start, fresh home: first", value: first.seconds, unit: "s", goal: 6 },
      { name: "npm start: repeat", value: repeat.seconds, unit: "s", goal: 4 },
      { name: "npm start: embedded PostgreSQL starts per run", value: Math.max(first.starts, repeat.starts), unit: "", goal: 1, note: `first ${first.starts}, repeat ${repeat.starts}` },
    ];
  } finally {
    removeHome(home);
  }
}

function npmStart(home: string, startsFile: string): { seconds: number; starts: number } {
  const env: NodeJS.ProcessEnv = { ...process.env, VWATCH_HOME: home, VWATCH_BENCH_PG_STARTS: startsFile };
  for (const name of Object.keys(env)) if (name === "DATABASE_URL" || /^PG[A-Z]+$/.test(name)) delete env[name];
  env.NODE_OPTIONS = [env.NODE_OPTIONS, `--require ${counter}`].filter(Boolean).join(" ");
  const start = process.hrtime.bigint();
  const r = spawnSync("npm", ["start", "--silent"], { cwd: root, env, encoding: "utf8", maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`npm start exited ${r.status}:\n${r.stderr}`);
  const starts = fs.existsSync(startsFile) ? fs.readFileSync(startsFile, "utf8").split("\n").filter(Boolean).length : 0;
  return { seconds, starts };
}

/** The home, and the embedded server's data where it was kept elsewhere (see sink/embedded.ts). */
function removeHome(home: string): void {
  const location = path.join(home, "postgres", "LOCATION");
  if (fs.existsSync(location)) {
    const elsewhere = fs.readFileSync(location, "utf8").split("\n")[0];
    if (path.basename(elsewhere) === "postgres") fs.rmSync(path.dirname(elsewhere), { recursive: true, force: true });
  }
  fs.rmSync(home, { recursive: true, force: true });
}

if (require.main === module) benchNpmStart();
