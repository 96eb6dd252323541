/**
 * VenezuelaWatch plugged into the engine: the one place the product's hooks (run/hooks.ts) are
 * registered. The engine folders import nothing from here or from the product's folders (load/,
 * sink/, app/, query/, check/, generate/); test/unit/import-rule.test.ts checks it. Heavy
 * modules load only inside the hooks that need them.
 */
import { APP_SCHEMA_FILE, appSchema } from "../app/schema";
import type { Hooks } from "../run/hooks";
import { chooseAsOf, focusWarnings } from "./as-of";
import { sourceColumns } from "./sources";

export const productHooks: Hooks = {
  /** Locally the raw economic tables exist from the start, empty until `vwatch load fred|worldbank|comtrade`. */
  async prepareWarehouse(warehouse) {
    if (!warehouse.local) return;
    const { ensureEconomicTables } = await import("../load/economic");
    await ensureEconomicTables((sql) => warehouse.execute(sql));
  },

  /** The day a run scores, pinned as the var as_of so every model scores the same day, printed and recorded. */
  async resolveVars({ graph, warehouse, today }) {
    const asOf = await chooseAsOf(graph, warehouse, today);
    if (!asOf) return undefined;
    return {
      vars: asOf.chosenBy === "var" ? undefined : { as_of: asOf.day },
      messages: [{ text: asOf.message, warn: asOf.warn }],
      record: { asOf: { day: asOf.day, chosenBy: asOf.chosenBy } },
    };
  },

  /** An empty focus set, with the window and the codes that selected nothing. */
  reviewRun: focusWarnings,

  /** The GDELT tables are filled locally by the loader. */
  missingSourceHint: (target, warehouse) => (target.database === "gdelt-bq" && warehouse.local ? "load it with `vwatch load gdelt <files…>`" : undefined),

  sourceColumns,

  externalQuerySchema: () => ({ sql: appSchema(), file: APP_SCHEMA_FILE }),

  /** The spikes written to PostgreSQL after a run in which mention_spikes succeeded. */
  async afterRun(session, record, options) {
    const { syncAfterRun } = await import("./after-run");
    const synced = await syncAfterRun(session, record, options);
    // What the sync wrote goes with the run into the run ledger.
    if (synced.result) record.sync = synced.result;
    return synced.code;
  },
};
