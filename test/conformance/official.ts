/**
 * The official Dataform CLI's execution SQL, captured offline: `dataform run --dry-run --json`
 * against the fake BigQuery REST API. The CLI builds its execution graph from one tables.get
 * per table (404 = absent; for an incremental MERGE the column list comes from the returned
 * schema) and prints it without running anything.
 */
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { startFakeBigQuery, type FakeField, type FakeTarget, type RecordedRequest } from "../fakes/bigquery-server";
import { copyProject, repoRoot } from "../helpers/project";

export const conformanceProject = path.join(repoRoot, "test", "fixtures", "conformance");
const officialCliPath = path.join(repoRoot, "node_modules", ".bin", "dataform");
/** The official CLI gives a compilation 30 s by default; a loaded 2-core machine can need more. */
export const OFFICIAL_TIMEOUT = ["--timeout", "5m"];

export interface ExistingTable {
  target: FakeTarget;
  schema: FakeField[];
  type?: "TABLE" | "VIEW";
}

/**
 * A temporary copy of the project with the repository's node_modules linked in. Without
 * dataformCoreVersion the CLI wants a package.json naming core; it then loads
 * node_modules/@dataform/core from the project.
 */
function stageProject(projectDir: string): string {
  const dir = copyProject(projectDir);
  const core = JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", "@dataform", "core", "package.json"), "utf8"));
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ private: true, dependencies: { "@dataform/core": core.version } }, null, 2));
  return dir;
}

/**
 * Runs the official CLI against a fake BigQuery holding `existingTables` and returns what it
 * prints: `{ stdout, stderr, requests }` for `run` with the given extra arguments.
 */
async function officialRun(
  projectDir: string,
  existingTables: ExistingTable[],
  args: string[],
): Promise<{ stdout: string; stderr: string; requests: RecordedRequest[] }> {
  const fake = await startFakeBigQuery({ projectId: "conformance-proj", location: "US" });
  try {
    for (const t of existingTables) await fake.tables.register(t);
    const { stdout, stderr } = await officialCli(projectDir, fake.url, "conformance-proj", ["run", ...args]);
    return { stdout, stderr, requests: fake.requests };
  } finally {
    await fake.close();
  }
}

/**
 * Runs the official CLI (`args`, e.g. ["run", "--vars", "a=b"]) on a staged copy of the project
 * against the BigQuery API at `apiUrl`; exits with its output (a failed run rejects with an
 * error carrying `code`, `stdout` and `stderr`).
 */
export async function officialCli(projectDir: string, apiUrl: string, projectId: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-official-"));
  try {
    const dir = stageProject(projectDir);
    const credentials = path.join(work, "credentials.json");
    fs.writeFileSync(credentials, JSON.stringify({ projectId, location: "US" }));
    // Async on purpose: the fake answers from this process's event loop.
    const [command, ...rest] = args;
    return await promisify(execFile)(officialCliPath, [command, dir, ...rest, "--credentials", credentials, ...OFFICIAL_TIMEOUT], {
      encoding: "utf8",
      maxBuffer: 64 << 20,
      env: { ...process.env, BIGQUERY_EMULATOR_HOST: apiUrl, METADATA_SERVER_DETECTION: "none", GOOGLE_APPLICATION_CREDENTIALS: "" },
    });
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The execution graph (actions with tasks[].statement) of `dataform run --dry-run --json`. */
export async function officialDryRun(projectDir: string, existingTables: ExistingTable[]): Promise<any> {
  const { stdout } = await officialRun(projectDir, existingTables, ["--dry-run", "--json"]);
  return JSON.parse(stdout);
}

/** Every table of the conformance project as it exists after a first run (what state (ii) needs). */
export const conformanceTablesAfterFirstRun: ExistingTable[] = [
  {
    target: { database: "conformance-proj", schema: "analytics", name: "events_daily" },
    schema: [
      { name: "event_date", type: "DATE" },
      { name: "country_code", type: "STRING" },
      { name: "source", type: "STRING" },
      { name: "event_count", type: "INTEGER" },
    ],
  },
  {
    target: { database: "conformance-proj", schema: "analytics", name: "events_by_country" },
    type: "VIEW",
    schema: [
      { name: "country_code", type: "STRING" },
      { name: "event_count", type: "INTEGER" },
    ],
  },
  {
    target: { database: "conformance-proj", schema: "analytics", name: "mentions_merged" },
    schema: [
      { name: "event_date", type: "DATE" },
      { name: "country_code", type: "STRING" },
      { name: "event_count", type: "INTEGER" },
    ],
  },
];

/** Writes test/golden/official/{first-run,incremental-run}.json. Run: npx ts-node test/conformance/official.ts */
export async function captureOfficialGoldens(): Promise<void> {
  const out = path.join(repoRoot, "test", "golden", "official");
  fs.mkdirSync(out, { recursive: true });
  const first = await officialDryRun(conformanceProject, []);
  fs.writeFileSync(path.join(out, "first-run.json"), JSON.stringify(first, null, 2) + "\n");
  const incremental = await officialDryRun(conformanceProject, conformanceTablesAfterFirstRun);
  fs.writeFileSync(path.join(out, "incremental-run.json"), JSON.stringify(incremental, null, 2) + "\n");
}

if (require.main === module) {
  captureOfficialGoldens().catch((e) => {
    process.stderr.write(`${(e as Error).stack}\n`);
    process.exit(1);
  });
}
