import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterEach, describe, expect, it } from "vitest";
import { reportError } from "../../orchestrator/cli/main";
import { runCli } from "../helpers/cli";
import { makeProject, repoRoot, tempHome } from "../helpers/project";

// Expected errors a user meets reach them as one line with the documented exit code (2 bad input
// or configuration, 1 a runtime failure); only a bug in vwatch prints a stack trace, and says so.

const lines = (text: string) => text.split("\n").filter(Boolean);

describe("bad homes, projects and state files", () => {
  it("--home naming a file is a configuration error (exit 2), not an ENOTDIR stack", async () => {
    const file = path.join(tempHome(), "not-a-folder");
    fs.writeFileSync(file, "x");
    const r = await runCli(["--home", file, "compile"]);
    expect(lines(r.err)).toEqual([`error: the home folder ${file} is a file, not a folder (--home or VWATCH_HOME)`]);
    expect(r.code).toBe(2);
  });

  it("an unknown --warehouse names the flag, the choices and the value (exit 2)", async () => {
    const r = await runCli(["--home", tempHome(), "check", "vertex", "--warehouse", "snowflake"]);
    expect(lines(r.err)).toEqual(['error: --warehouse must be duckdb or bigquery, got "snowflake"']);
    expect(r.code).toBe(2);
  });

  it("a mistyped option gets the nearest option and a pointer to --help, not the whole help text (exit 2)", async () => {
    const r = await runCli(["--home", tempHome(), "run", "--wharehouse", "duckdb"]);
    expect(lines(r.err)).toEqual([
      "error: unknown option '--wharehouse'",
      "(Did you mean --warehouse?)",
      "(vwatch --help lists the commands; vwatch COMMAND --help its options)",
    ]);
    expect(r.code).toBe(2);
  });

  it("--project-dir naming no folder is a configuration error (exit 2), not an ENOENT stack", async () => {
    const missing = path.join(tempHome(), "no-such-project");
    const r = await runCli(["--home", tempHome(), "--project-dir", missing, "run"]);
    expect(lines(r.err)).toEqual([`error: the project folder ${missing} does not exist (--project-dir or VWATCH_PROJECT_DIR)`]);
    expect(r.code).toBe(2);
  });

  it("--project-dir naming a folder without workflow_settings.yaml says it is not a Dataform project (exit 2)", async () => {
    const dir = tempHome();
    const r = await runCli(["--home", tempHome(), "--project-dir", dir, "compile"]);
    expect(lines(r.err)).toEqual([`error: ${dir} is not a Dataform project: it has no workflow_settings.yaml (--project-dir or VWATCH_PROJECT_DIR)`]);
    expect(r.code).toBe(2);
  });

  it("a damaged run_results.json is named with what to do (exit 2), for retry and for the commands reading the last run's vars", async () => {
    const home = tempHome();
    fs.writeFileSync(path.join(home, "run_results.json"), '{"runId": "cut here');
    fs.writeFileSync(path.join(home, "warehouse.duckdb"), "");
    for (const args of [["retry"], ["explain", "1", "2015-03-01"]]) {
      const r = await runCli(["--home", home, "--project-dir", repoRoot, ...args]);
      expect(lines(r.err)).toEqual([
        expect.stringMatching(/^error: .*\/run_results\.json is not a vwatch run results file \(.*JSON.*\); delete it and run `vwatch run`$/),
      ]);
      expect(r.code).toBe(2);
    }
  });
});

describe("a damaged warehouse file", () => {
  it("is named with what to do (exit 2: trying again cannot help)", async () => {
    const home = tempHome();
    const file = path.join(home, "warehouse.duckdb");
    fs.writeFileSync(file, "not a database\n");
    const r = await runCli(["--home", home, "--project-dir", repoRoot, "query", "trending"]);
    expect(lines(r.err)).toEqual([`error: ${file} is not a DuckDB database file: move it away, and \`vwatch load\` and \`vwatch run\` make a new one`]);
    expect(r.code).toBe(2);
    expect(fs.readFileSync(file, "utf8")).toBe("not a database\n");
  });
});

describe("a warehouse file in use by another process", () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    holder?.kill();
    holder = undefined;
  });

  it("says another vwatch command is using it, with its pid and what to do (exit 1: nothing ran, trying later works)", async () => {
    const project = makeProject({ "definitions/one.sqlx": `config { type: "table" }\nselect 1 as one` });
    const home = tempHome();
    expect((await runCli(["--home", home, "--project-dir", project, "-q", "run"])).code).toBe(0);
    // Another process opens the file read-write, as a running vwatch command does, and holds it.
    const script = `const { DuckDBInstance } = require("@duckdb/node-api");
      DuckDBInstance.create(process.argv[1]).then((i) => i.connect()).then(() => { console.log("holding"); setInterval(() => {}, 1000); });`;
    holder = spawn(process.execPath, ["-e", script, path.join(home, "warehouse.duckdb")], { cwd: repoRoot, stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => holder!.stdout!.on("data", (d) => String(d).includes("holding") && resolve()));

    const r = await runCli(["--home", home, "--project-dir", project, "run"]);
    expect(lines(r.err)).toEqual([
      `error: another vwatch command (pid ${holder.pid}) is using the warehouse file ${path.join(home, "warehouse.duckdb")}; wait for it to finish, or use another --home`,
    ]);
    expect(r.code).toBe(1);
  });
});

describe("errors nobody expected", () => {
  it("a bug prints its stack trace and says it is a bug (exit 1)", () => {
    const err: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      code = reportError(new TypeError("Cannot read properties of undefined (reading 'name')"));
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(1);
    const text = err.join("");
    expect(text).toMatch(/^error: TypeError: Cannot read properties of undefined \(reading 'name'\)\n    at /);
    expect(text).toMatch(/\nthis is a bug in vwatch: please report it with the command you ran and the lines above\n$/);
  });

  it("a system error (disk full, permission denied) is one line naming the path, no stack (exit 1)", () => {
    const err: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((c: string) => (err.push(String(c)), true)) as typeof process.stderr.write;
    let code: number;
    try {
      const e = Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC", errno: -28, syscall: "write", path: "/data/h/run_results.json" });
      code = reportError(e);
    } finally {
      process.stderr.write = write;
    }
    expect(code).toBe(1);
    expect(err.join("")).toBe("error: /data/h/run_results.json: no space left on device (ENOSPC)\n");
  });
});
