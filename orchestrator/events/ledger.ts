/**
 * The push handler's PostgreSQL connection, its own, apart from the session's: a phase's work
 * (the sync) holds the session's connection inside its transaction, and the ledger's records (a
 * delivery acknowledged, a dead letter, a phase claimed) must neither wait for it nor be rolled back
 * with it. Opened on first use (the same server: DATABASE_URL, PG* variables or the embedded one),
 * replaced when lost, closed with the session.
 */
import { openSink, type PgSink } from "../postgres/connect";
import type { Session } from "../run/session";
import { ensureEventTables } from "./store";

const ledgers = new WeakMap<Session, Promise<PgSink>>();

export async function ledger(session: Session): Promise<PgSink> {
  let opened = ledgers.get(session);
  if (!opened) {
    const opening = openSink(session.config, process.env, { application_name: "vwatch events" }).then(serialized);
    opened = opening;
    ledgers.set(session, opening);
    opening.catch(() => ledgers.get(session) === opening && ledgers.delete(session));
    opening.then(
      () => session.onClose(async () => (await opening).close()),
      () => undefined,
    );
  }
  const pg = await opened;
  if (pg.lostConnection) {
    if (ledgers.get(session) === opened) ledgers.delete(session);
    return ledger(session);
  }
  await ensureEventTables(pg);
  return pg;
}

/**
 * The connection with its statements sent one after another: concurrent deliveries share it, and a
 * pg client must not be given a query while it runs one. Everything else (transactions, the
 * lost-connection flag, close) is the connection's own.
 */
function serialized(pg: PgSink): PgSink {
  let last: Promise<unknown> = Promise.resolve();
  const view = Object.create(pg) as PgSink;
  view.execute = <T>(sql: string, params?: unknown[]) => {
    const run = last.then(
      () => pg.execute<T>(sql, params),
      () => pg.execute<T>(sql, params),
    );
    last = run.catch(() => undefined);
    return run;
  };
  return view;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs fn when no other phase of this process is running: the session's one warehouse and one
 * PostgreSQL connection serve one phase at a time (a DuckDB file has one writer, a connection one
 * transaction).
 */
export function oneAtATime<T>(fn: () => Promise<T>): Promise<T> {
  const run = queue.then(fn, fn);
  queue = run.catch(() => undefined);
  return run;
}
