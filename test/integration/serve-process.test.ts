import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { asAdmin, freshDatabase } from "../helpers/pg";
import { repoRoot, tempHome } from "../helpers/project";
import { postJson, repoDockerfile, servedProject, waitForRun } from "../helpers/serve";

/**
 * `vwatch serve` as a process: the Dockerfile's start command (no container engine here, so the
 * command is spawned as the image would run it) answers /health and refuses calls without a
 * token; and SIGTERM mid-run (Cloud Run's stop) lets the running action finish, marks the run
 * interrupted and exits within 10 s, after which a new trigger completes the same selection.
 */
let db: { url: string; drop: () => Promise<void> };
const dbName = () => new URL(db.url).pathname.slice(1);
const children: ChildProcess[] = [];

beforeAll(async () => {
  db = await freshDatabase("vwatch_serve_proc");
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
  await db?.drop();
});

/** Spawns a command and waits for its "serving on" line: the process, its URL, its log lines, its exit. */
async function startServe(command: string[], env: Record<string, string>): Promise<{ child: ChildProcess; url: string; lines: () => Record<string, unknown>[]; exited: Promise<number | null> }> {
  const child = spawn(command[0], command.slice(1), { cwd: repoRoot, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let err = "";
  child.stderr!.on("data", (d) => (err += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const until = Date.now() + 30_000;
  for (;;) {
    const m = /"message":"serving on (http:\/\/[^"]+)"/.exec(err);
    if (m) return { child, url: m[1], lines: () => err.trim().split("\n").map((l) => JSON.parse(l)), exited };
    if (child.exitCode !== null || Date.now() > until) throw new Error(`vwatch serve did not start:\n${err}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("vwatch serve as a process", () => {
  it("the Dockerfile builds with the README's set-up, runs as a non-root user, and its CMD serves /health on PORT with auth on", async () => {
    const text = fs.readFileSync(repoDockerfile, "utf8");
    expect(text).toMatch(/^FROM node:20-slim$/m);
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const setup = /## Quick start\n\n```sh\n([^\n]+)\n/.exec(readme)![1];
    expect(text).toContain(`RUN ${setup}\n`);
    const user = /^USER (\S+)$/m.exec(text)?.[1];
    expect(user).toBeDefined();
    expect(["root", "0"]).not.toContain(user);
    // The user is set before the install, so everything in the image's app folder is theirs.
    expect(text.indexOf("USER ")).toBeLessThan(text.indexOf(`RUN ${setup}`));
    const cmd = JSON.parse(/^CMD (\[.*\])$/m.exec(text)![1]) as string[];
    expect(cmd).toEqual(["node", "bin/vwatch.js", "serve"]);

    const port = String(20000 + (process.pid % 20000));
    const s = await startServe([process.execPath, ...cmd.slice(1)], {
      PORT: port,
      DATABASE_URL: db.url,
      VWATCH_HOME: tempHome(),
      VWATCH_SERVICE_URL: "https://vwatch.example.run.app",
      VWATCH_ALLOWED_CALLERS: "scheduler@p.iam.gserviceaccount.com",
    });
    expect(s.url).toBe(`http://0.0.0.0:${port}`);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/runs`)).status).toBe(401);
    s.child.kill("SIGTERM");
    expect(await s.exited).toBe(0);
    expect(s.lines().map((l) => l.severity)).not.toContain(undefined);
  });

  it("SIGTERM mid-run: the running action finishes, the run is interrupted, the process exits within 10 s; the next trigger completes", async () => {
    const project = servedProject(5, 1500);
    const home = tempHome();
    const command = [process.execPath, "bin/vwatch.js", "--home", home, "--project-dir", project, "serve", "--no-auth", "--port", "0"];
    try {
      const first = await startServe(command, { DATABASE_URL: db.url });
      const { id } = (await (await postJson(`${first.url}/runs`, {})).json()) as { id: string };
      const until = Date.now() + 20_000;
      let seen: { progress?: { done: number; total: number }; actions: { name: string; status: string }[] } | undefined;
      for (;;) {
        seen = (await (await fetch(`${first.url}/runs/${id}`)).json()) as typeof seen;
        if ((seen!.progress?.done ?? 0) >= 2 || Date.now() > until) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      // Mid-run, each planned action is listed: those done with their result, the rest pending.
      expect(seen!.progress).toEqual({ done: 2, total: 6 });
      expect(seen!.actions.map((a) => a.status)).toEqual(["success", "success", "pending", "pending", "pending", "pending"]);
      const stopped = Date.now();
      first.child.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(Date.now() - stopped).toBeLessThan(10_000);
      const [row] = await asAdmin(async (c) => (await c.query("select status, error, actions from vwatch_runs where id = $1", [id])).rows, dbName());
      expect(row.status).toBe("interrupted");
      expect(row.error).toBe("interrupted: the server stopped (SIGTERM); trigger the run again");
      const statuses = (row.actions as { status: string }[]).map((a) => a.status);
      expect(statuses.length).toBe(6);
      expect(statuses.slice(0, 2)).toEqual(["success", "success"]);
      expect(statuses.at(-1)).toBe("cancelled");
      expect(statuses.filter((s) => s !== "success" && s !== "cancelled")).toEqual([]);
      expect(first.lines().some((l) => l.message === "SIGTERM received")).toBe(true);
      // Every line the run logged, the engine's progress lines too, carries its ids.
      const progress = first.lines().filter((l) => /^\[\d\/6\] /.test(String(l.message)));
      expect(progress.length).toBeGreaterThanOrEqual(2);
      expect(progress.every((l) => l.runId === id && l.correlationId === id && (l["logging.googleapis.com/labels"] as { correlationId: string }).correlationId === id)).toBe(true);

      const second = await startServe(command, { DATABASE_URL: db.url });
      try {
        const again = await postJson(`${second.url}/runs`, {});
        expect(again.status).toBe(202);
        const run = await waitForRun(second.url, ((await again.json()) as { id: string }).id, {}, 30_000);
        expect(run.status).toBe("succeeded");
        expect((run.actions as { status: string }[]).map((a) => a.status)).toEqual(Array(6).fill("success"));
      } finally {
        second.child.kill("SIGTERM");
        await second.exited;
      }
    } finally {
      fs.rmSync(project, { recursive: true, force: true });
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
