import * as fs from "fs";
import * as path from "path";
import { productHooks } from "../../orchestrator/product";
import { Session } from "../../orchestrator/run/session";
import { loadConfig } from "../../orchestrator/config";
import { startServer, type RunningServer } from "../../orchestrator/serve/server";
import type { ServeSettings } from "../../orchestrator/serve/settings";
import type { PushHandler } from "../../orchestrator/serve/app";
import { makeProject, tempHome } from "./project";

/**
 * A small project: a table, then a chain of `steps` tables after it, each counting a cross product
 * of 36,525 days by `days` days (on this machine about 0.4 s for 731 days; 1 day: instant).
 */
export function servedProject(steps = 1, days = 1): string {
  const files: Record<string, string> = { "definitions/first.sqlx": 'config { type: "table" }\nselect 1 as n\n' };
  for (let i = 1; i <= steps; i++) {
    const before = i === 1 ? "first" : `step_${i - 1}`;
    files[`definitions/step_${i}.sqlx`] =
      `config { type: "table" }\nselect count(*) as n from \${ref("${before}")}, unnest(generate_date_array(date '1900-01-01', date '2000-01-01')) as d1, ` +
      `unnest(generate_date_array(date '2000-01-01', date_add(date '2000-01-01', interval ${days - 1} day))) as d2 where mod(extract(day from d1) + extract(dayofyear from d2), 7) = 3\n`;
  }
  return makeProject(files);
}

/** vwatch serve in this process on a free loopback port, on a database of its own. */
export async function serveInProcess(
  projectDir: string,
  databaseUrl: string,
  settings: Partial<ServeSettings> = {},
  options: { handlePush?: PushHandler } = {},
): Promise<{ server: RunningServer; session: Session; home: string; stop(): Promise<void> }> {
  const home = tempHome();
  const config = loadConfig({ home, projectDir }, { ...process.env, DATABASE_URL: databaseUrl });
  const session = new Session(config, productHooks);
  const server = await startServer(session, { port: 0, host: "127.0.0.1", auth: false, staleAfterHours: 26, ...settings }, options);
  return {
    server,
    session,
    home,
    async stop() {
      await server.shutdown();
      await session.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Polls GET /runs/{id} until the run ended (or the time is up): the run. */
export async function waitForRun(url: string, id: string, headers: Record<string, string> = {}, ms = 20_000): Promise<Record<string, unknown>> {
  const until = Date.now() + ms;
  for (;;) {
    const run = (await (await fetch(`${url}/runs/${id}`, { headers })).json()) as Record<string, unknown>;
    if (!["queued", "running"].includes(run.status as string) || Date.now() > until) return run;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

export const repoDockerfile = path.join(__dirname, "..", "..", "Dockerfile");
