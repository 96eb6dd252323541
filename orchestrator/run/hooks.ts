/**
 * The named hooks through which a product plugs into the engine. The engine (compile/, plan/,
 * run/, warehouse/, translate/, validate/) knows no product: what a product needs around a run —
 * source tables that must exist, vars it pins, warnings about what was built, the schemas of the
 * sources it declares, what to do after a run — it registers here, in one place
 * (orchestrator/product/index.ts for VenezuelaWatch). Every hook is optional.
 */
import type { CompiledGraph, Target } from "../compile/graph";
import type { SourceColumn } from "../validate/sources";
import type { Warehouse } from "../warehouse/warehouse";
import type { RunRecord } from "./results";
import type { ActionResult } from "./run";
import type { Session } from "./session";

export type { SourceColumn };

/** What resolveVars pins for a run. */
export interface ResolvedVars {
  /** Vars the whole run uses (added to the run's vars, recorded with them). */
  vars?: Record<string, string>;
  /** Lines to print before the run; a warning is recorded in the run's warnings too. */
  messages?: { text: string; warn?: boolean }[];
  /** Fields added to the run record (run_results.json). */
  record?: Record<string, unknown>;
}

export interface AfterRunOptions {
  /** The command prints JSON: the steps print no text. */
  json: boolean;
  /** --sync (true) or --no-sync (false): write the run's results back even from an experiment, or not at all. */
  writeBack?: boolean;
}

export interface Hooks {
  /** Before a run plans: makes what the product's models read exist in the warehouse (say empty local source tables). */
  prepareWarehouse?(warehouse: Warehouse): Promise<void>;
  /** Before a run plans: vars to pin (say the day it scores), with what to print and record. */
  resolveVars?(context: { graph: CompiledGraph; warehouse: Warehouse; today: string }): Promise<ResolvedVars | undefined>;
  /** After a run: warnings about what it built. */
  reviewRun?(graph: CompiledGraph, actions: ActionResult[]): string[];
  /** Advice appended when a declared source table is missing from the warehouse (say the command that loads it). */
  missingSourceHint?(target: Target, warehouse: Warehouse): string | undefined;
  /** The columns of a declared source table, when the product states them (validate types it from these). */
  sourceColumns?(target: Target): SourceColumn[] | undefined;
  /** The application's PostgreSQL schema (DDL) and the file declaring it, on which validate types EXTERNAL_QUERY inner queries. */
  externalQuerySchema?(): { sql: string; file: string };
  /** Steps after a run the command reported (say writing results back); their exit code, 0 when fine. */
  afterRun?(session: Session, record: RunRecord, options: AfterRunOptions): Promise<number>;
}
