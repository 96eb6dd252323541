/**
 * Mounts the web view on a fastify app (`vwatch serve`, `vwatch ui`) under /ui: the pages of ROUTES
 * as HTML, and /ui/assets/ (our stylesheet and chart script, uPlot from its npm package: nothing from a CDN).
 * The app's own hooks apply: with authentication on, pages need a token like every route but /health.
 */
import * as fs from "fs";
import * as path from "path";
import type { FastifyInstance } from "fastify";
import { InputError } from "../errors";
import type { Sql } from "../ledger/runs";
import type { Session } from "../run/session";
import { BASE, esc, href, layout } from "./html";
import { NAV, ROUTES } from "./pages";

const STATIC = path.join(__dirname, "static");
const UPLOT = path.dirname(require.resolve("uplot/dist/uPlot.iife.min.js"));

/** Asset name → file and content type; nothing else is served. */
const ASSETS: Record<string, { file: string; type: string }> = {
  "web.css": { file: path.join(STATIC, "web.css"), type: "text/css; charset=utf-8" },
  "charts.js": { file: path.join(STATIC, "charts.js"), type: "text/javascript; charset=utf-8" },
  "uPlot.iife.min.js": { file: path.join(UPLOT, "uPlot.iife.min.js"), type: "text/javascript; charset=utf-8" },
  "uPlot.min.css": { file: path.join(UPLOT, "uPlot.min.css"), type: "text/css; charset=utf-8" },
};

export interface WebDeps {
  session: Session;
  sql: Sql;
}

export function mountWeb(app: FastifyInstance, deps: WebDeps): void {
  const assets = new Map<string, Buffer>();
  app.get(`${BASE}/assets/:name`, async (request, reply) => {
    const asset = ASSETS[(request.params as { name: string }).name];
    if (!asset) return reply.code(404).type("text/plain").send("no such asset");
    let body = assets.get(asset.file);
    if (!body) assets.set(asset.file, (body = fs.readFileSync(asset.file)));
    return reply.type(asset.type).header("cache-control", "max-age=3600").send(body);
  });

  app.get(BASE, async (_request, reply) => reply.redirect(href("/spikes")));

  for (const [url, route] of Object.entries(ROUTES)) {
    app.get(href(url), async (request, reply) => {
      const ctx = { session: deps.session, sql: deps.sql, query: request.query as Record<string, string>, params: request.params as Record<string, string> };
      try {
        const page = await route.page(ctx);
        return reply.code(page.status ?? 200).type("text/html; charset=utf-8").send(layout(page, NAV, route.nav));
      } catch (e) {
        // Bad input, or nothing built yet: the page says what to do. Anything else is the app's error handler's.
        if (!(e instanceof InputError)) throw e;
        const page = { title: "Cannot show this page", body: `<p class="error" id="page-error">${esc(e.message)}</p>` };
        return reply.code(400).type("text/html; charset=utf-8").send(layout(page, NAV, route.nav));
      }
    });
  }
}
