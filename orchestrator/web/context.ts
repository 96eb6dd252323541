/** What a page of the web view gets: the server's session, PostgreSQL (the run ledger), the request's query and path parameters. */
import type { Sql } from "../ledger/runs";
import type { Session } from "../run/session";

export interface WebContext {
  session: Session;
  /** PostgreSQL: the server's pool. */
  sql: Sql;
  query: Record<string, string | undefined>;
  params: Record<string, string | undefined>;
}

/** A rendered page: its title and body (HTML); `charts` loads uPlot and the chart script; `status` defaults to 200. */
export interface Page {
  title: string;
  body: string;
  charts?: boolean;
  status?: number;
}

export type PageFn = (ctx: WebContext) => Promise<Page>;
