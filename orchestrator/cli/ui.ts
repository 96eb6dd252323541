/**
 * `vwatch ui`: the web view (orchestrator/web/) for one analyst: `vwatch serve`'s server on the
 * loopback interface only, without authentication, on the embedded warehouse (or the configured
 * one) and PostgreSQL as other commands open them. Prints its URL; Ctrl-C stops it.
 */
import { InputError } from "../errors";
import { log } from "../log";
import { requireWarehouseFile } from "../query/built";
import type { Cli } from "./context";

/** The run staleness /health/detailed reports; the web view does not use it. */
const STALE_AFTER_HOURS = 26;

export function register(cli: Cli): void {
  cli.program
    .command("ui")
    .description("open the web view (spikes and their charts, runs, indicators) on http://127.0.0.1")
    .option("--port <n>", "port to listen on (default 8080; 0 picks a free one)")
    .option("--warehouse <name>", "duckdb (default) or bigquery")
    .action(
      cli.action(async (opts: { port?: string; warehouse?: string }) => {
        const text = opts.port ?? "8080";
        if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) throw new InputError(`--port must be a port number (0-65535), got "${text}"`);
        const config = await cli.config(opts.warehouse);
        // Nothing to look at on a home where nothing ran: say so, creating nothing.
        requireWarehouseFile(config);
        return cli.withSession(config, async (session) => {
          const { startServer } = await import("../serve/server");
          const server = await startServer(session, { port: Number(text), host: "127.0.0.1", auth: false, staleAfterHours: STALE_AFTER_HOURS });
          log.out(`vwatch ui: open ${server.url}/ui/spikes (Ctrl-C to stop)`);
          await new Promise<void>((resolve) => {
            const stop = () => server.shutdown().then(resolve, resolve);
            process.once("SIGINT", stop);
            process.once("SIGTERM", stop);
          });
          return 0;
        });
      }),
    );
}
