/**
 * The catalog as validation grows it: the tables known so far (declarations, then each level of
 * models), the EXTERNAL_QUERY table functions, and per action what its own statements create or
 * declare. Registered with the server only when it changed since the last registration.
 */
import type { Target } from "../compile/graph";
import type { TypeProto } from "./bigquery-types";
import { buildCatalog, type CatalogTable, type CatalogTvf } from "./catalog";
import { BIGQUERY_FUNCTIONS, INFORMATION_SCHEMA_COLUMNS } from "./exceptions";
import type { CatalogHandle, LanguageOptions, ZetaSqlClient } from "./zetasql-client";

/** What one action's own statements create and declare (temp tables, functions, variables). */
export interface Local {
  tables: CatalogTable[];
  functions: unknown[];
  constants: { name: string; type: TypeProto }[];
  version: number;
  /** Whether its catalog includes the local objects (from the first statement that needed them). */
  used: boolean;
}

export const newLocal = (): Local => ({ tables: [], functions: [], constants: [], version: 0, used: false });

export class CatalogState {
  private readonly tables = new Map<string, CatalogTable>();
  private readonly tvfs = new Map<string, CatalogTvf>();
  private version = 0;
  private handle?: CatalogHandle;
  private registered = "";

  constructor(
    private readonly client: ZetaSqlClient,
    private readonly lang: LanguageOptions,
    /** Builtin function names: a custom function of the same name crashes the server. */
    private readonly builtins: Set<string>,
    private readonly project: { defaultDatabase?: string; defaultSchema?: string },
  ) {}

  /** A target's full path, defaults applied. */
  path(t: Target): string[] {
    return [t.database || this.project.defaultDatabase || "", t.schema || this.project.defaultSchema || "", t.name].filter(Boolean);
  }

  /** A name as a statement wrote it (["p.d.t"], ["d", "t"]) as its parts, the default project added to `dataset.table`. */
  split(namePath: string[]): string[] {
    const parts = namePath.flatMap((p) => p.split("."));
    return parts.length === 2 && this.project.defaultDatabase ? [this.project.defaultDatabase, ...parts] : parts;
  }

  /** Adds tables; statements see them from the next registration (see nextLevel). */
  add(...tables: CatalogTable[]): void {
    for (const t of tables) this.tables.set(key(t.path), t);
  }

  get(target: Target): CatalogTable | undefined {
    return this.tables.get(key(this.path(target)));
  }

  /** Makes the tables added so far visible to the statements analyzed next. */
  nextLevel(): void {
    this.version++;
  }

  hasTvf(name: string): boolean {
    return this.tvfs.has(name);
  }

  addTvf(tvf: CatalogTvf): void {
    this.tvfs.set(tvf.name, tvf);
  }

  /** The registered catalog, with `local`'s objects when given; registers again only after a change. */
  async handleFor(local?: Local): Promise<CatalogHandle> {
    const want = `${this.version}/${this.tvfs.size}${local ? `/${local.version}` : ""}`;
    if (this.handle && this.registered === want) return this.handle;
    const tables = [...this.tables.values(), ...(local?.tables ?? [])];
    const datasets = new Set(tables.filter((t) => t.path.length === 3).map((t) => `${t.path[0]}\n${t.path[1]}`));
    const informationSchema = [...datasets].map((d) => ({ path: [...d.split("\n"), "INFORMATION_SCHEMA", "COLUMNS"], columns: INFORMATION_SCHEMA_COLUMNS })).filter((t) => !this.tables.has(key(t.path)));
    const catalog = buildCatalog(
      {
        tables: [...tables, ...informationSchema],
        defaultProject: this.project.defaultDatabase,
        tvfs: [...this.tvfs.values()],
        functions: [...BIGQUERY_FUNCTIONS, ...(local?.functions ?? [])].filter((f) => !this.builtins.has((f as { namePath: string[] }).namePath.join(".").toLowerCase())),
        constants: local?.constants,
      },
      this.lang,
    );
    const next = await this.client.registerCatalog(catalog);
    if (this.handle) await this.client.unregisterCatalog(this.handle);
    this.handle = next;
    this.registered = want;
    return next;
  }

  async release(): Promise<void> {
    if (this.handle) await this.client.unregisterCatalog(this.handle);
    this.handle = undefined;
  }
}

const key = (path: string[]) => path.join(".").toLowerCase();
