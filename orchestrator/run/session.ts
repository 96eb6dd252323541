/**
 * One session per command (later per server process): the configuration, the compiled graph for
 * each distinct set of vars (compiled once), the warehouse and PostgreSQL, each opened only when
 * first asked for and then kept, and everything closed once at the end. Opening nothing until
 * asked is what lets a command refuse early without creating anything (home, warehouse file,
 * embedded PostgreSQL).
 */
import type { CompiledGraph } from "../compile/graph";
import { compileWithVars } from "../compile/with-vars";
import type { Config } from "../config";
import type { PgSink } from "../postgres/connect";
import type { ProjectDefaults } from "../sql/names";
import { openWarehouse } from "../warehouse/open";
import type { Warehouse } from "../warehouse/warehouse";
import type { Hooks } from "./hooks";

export class Session {
  private readonly graphs = new Map<string, CompiledGraph>();
  private opened?: Promise<Warehouse>;
  private pg?: Promise<PgSink>;
  private readonly closers: (() => Promise<void>)[] = [];

  constructor(
    readonly config: Config,
    /** The product's hooks (run/hooks.ts). */
    readonly hooks: Hooks = {},
  ) {}

  /**
   * The graph compiled with these vars over workflow_settings.yaml's (checked first; `source`
   * names where they came from in errors), once per distinct vars in the session.
   */
  graph(vars?: Record<string, string>, source?: string): CompiledGraph {
    const key = JSON.stringify(Object.entries(vars ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    let graph = this.graphs.get(key);
    if (!graph) {
      graph = compileWithVars(this.config, vars, source, this.config.projectOverrides);
      this.graphs.set(key, graph);
    }
    return graph;
  }

  /** The project's defaults (vars never change them): from a graph compiled already, else workflow_settings.yaml's. */
  project(): ProjectDefaults {
    const graph = this.graphs.values().next().value ?? this.graph();
    const { defaultDatabase, defaultSchema, defaultLocation } = graph.projectConfig;
    return { defaultDatabase, defaultSchema, defaultLocation };
  }

  /** The configured warehouse, opened on first use and kept until released or closed. */
  warehouse(): Promise<Warehouse> {
    if (!this.opened) {
      const opening = openWarehouse(this.config, this.project());
      // A failed open is not kept: the next call tries again.
      opening.catch(() => (this.opened = undefined));
      this.opened = opening;
    }
    return this.opened;
  }

  /** Closes the warehouse now (a DuckDB file is then free for other commands); the next warehouse() opens it again. */
  async releaseWarehouse(): Promise<void> {
    const opened = this.opened;
    this.opened = undefined;
    const warehouse = await opened?.catch(() => undefined);
    await warehouse?.close();
  }

  /**
   * The configured PostgreSQL (DATABASE_URL, PG* variables, else the embedded server, started
   * at most once per session), connected on first use and kept for the session.
   */
  postgres(): Promise<PgSink> {
    if (!this.pg) {
      const connecting = import("../postgres/connect").then((m) => m.openSink(this.config));
      connecting.catch(() => (this.pg = undefined));
      this.pg = connecting;
    }
    // A connection lost since (PostgreSQL restarted, the network cut) is replaced: a long-lived
    // session (a server) must not keep failing on it.
    const current = this.pg;
    return current.then(async (sink) => {
      if (!sink.lostConnection) return sink;
      if (this.pg === current) this.pg = undefined;
      await sink.close().catch(() => undefined);
      return this.postgres();
    });
  }

  /** Whether PostgreSQL was connected in this session (so writing to it now costs no server start). */
  get postgresOpened(): boolean {
    return this.pg !== undefined;
  }

  /** Something opened for the session's life (say a connection of its own), closed first by close(). */
  onClose(fn: () => Promise<void>): void {
    this.closers.push(fn);
  }

  /** Closes what the session opened: what was attached with onClose, PostgreSQL (stopping an embedded server it started) and the warehouse. */
  async close(): Promise<void> {
    for (const fn of this.closers.splice(0).reverse()) await fn().catch(() => undefined);
    const pg = this.pg;
    this.pg = undefined;
    try {
      await (await pg?.catch(() => undefined))?.close();
    } finally {
      await this.releaseWarehouse();
    }
  }
}

/** Runs fn with a new session and closes the session afterwards, whatever happened. */
export async function withSession<T>(config: Config, hooks: Hooks, fn: (session: Session) => Promise<T>): Promise<T> {
  const session = new Session(config, hooks);
  try {
    return await fn(session);
  } finally {
    await session.close();
  }
}
