/**
 * `vwatch serve`: the orchestrator as an HTTP service (Cloud Run). Logs one JSON line per event
 * while serving; SIGTERM or SIGINT stops it in order (serve/server.ts) and the command returns 0.
 */
import { log } from "../log";
import type { Cli } from "./context";
import type { ServeFlags } from "../serve/settings";

export function register(cli: Cli): void {
  cli.program
    .command("serve")
    .description("serve health, run triggers and the run history over HTTP (Cloud Run; PORT is honoured)")
    .option("--port <n>", "port to listen on (default $PORT, else 8080)")
    .option("--host <address>", "address to listen on (default 0.0.0.0; 127.0.0.1 with --no-auth)")
    .option("--no-auth", "accept calls without an ID token: loopback only, for local use")
    .action(
      cli.action(async (opts: ServeFlags) => {
        const config = await cli.config();
        const { serveSettings } = await import("../serve/settings");
        const settings = serveSettings(opts, process.env, config.projectDir);
        log.setJson(true);
        if (!settings.auth) log.event("WARNING", `AUTHENTICATION IS OFF (--no-auth): anyone who can reach ${settings.host} can trigger runs; listening on the loopback interface only`);
        return cli.withSession(config, async (session) => {
          const { startServer } = await import("../serve/server");
          // Phase chaining: the push route, and a served run's completion published as transform's.
          const chain = (await import("../events/serve-chain")).serveChain(session);
          const server = await startServer(session, settings, { handlePush: chain.handlePush, onRunEnd: chain.onRunEnd });
          await new Promise<void>((resolve) => {
            const stop = (signal: string) => {
              log.event("NOTICE", `${signal} received`);
              server.shutdown().then(resolve, resolve);
            };
            process.once("SIGTERM", () => stop("SIGTERM"));
            process.once("SIGINT", () => stop("SIGINT"));
          });
          return 0;
        });
      }),
    );
}
