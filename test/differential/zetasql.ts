import { buildCatalog, type CatalogColumn } from "../../orchestrator/validate/catalog";
import { sharedClient } from "../../orchestrator/validate/zetasql-client";
import { fromZeta, toZeta, zetaType, zetaTypeName, type Canonical, type Result, type TypeProto } from "./values";

/** A table the reference evaluator reads: its BigQuery path, columns (BigQuery type names) and rows. */
export interface ReferenceTable {
  path: string[];
  columns: { name: string; type: string; pseudo?: boolean }[];
  rows: Canonical[][];
}

/**
 * Evaluates one BigQuery query with ZetaSQL's reference evaluator (EvaluateQuery) over the given
 * table contents, with the analyzer settings `vwatch validate` uses (UTC, BigQuery's features).
 */
export async function evaluateReference(sql: string, tables: ReferenceTable[], defaultProject?: string): Promise<Result> {
  const client = sharedClient();
  const languageOptions = await client.languageOptions();
  const catalog = buildCatalog(
    { tables: tables.map((t) => ({ path: t.path, columns: t.columns.map((c): CatalogColumn => ({ name: c.name, type: zetaType(c.type), ...(c.pseudo ? { pseudo: true } : {}) })) })), defaultProject },
    languageOptions,
  );
  const tableContent: Record<string, unknown> = {};
  for (const t of tables) {
    const types = t.columns.map((c) => zetaType(c.type));
    const content = { tableData: { row: t.rows.map((r) => ({ cell: r.map((v, i) => toZeta(v, types[i])) })) } };
    tableContent[t.path.join(".")] = content;
    if (defaultProject && t.path.length > 2 && t.path[0] === defaultProject) tableContent[t.path.slice(1).join(".")] = content;
  }
  const response = (await client.call("evaluateQuery", () => ({
    sql,
    options: { languageOptions, defaultTimezone: "UTC", errorMessageMode: "ERROR_MESSAGE_ONE_LINE" },
    simpleCatalog: catalog,
    tableContent,
  }))) as { content?: { tableData?: { row?: { cell?: Record<string, unknown>[] }[] } }; prepared: { columns: { name: string; type: TypeProto }[] } };
  const columns = response.prepared.columns;
  return {
    columns: columns.map((c) => ({ name: c.name, type: zetaTypeName(c.type) })),
    rows: (response.content?.tableData?.row ?? []).map((r) => (r.cell ?? []).map((v, i) => fromZeta(v, columns[i].type))),
  };
}
