/**
 * The scripted fake's datasets and tables (bigquery-server.ts without `execute`): registered by
 * the test with a schema and no rows, answered as tables.get would.
 */
import type { FakeField } from "./bigquery-values";

const FIXED_TIME = "1704067200000"; // 2024-01-01T00:00:00Z

/** The scripted fake's tables: registered by the test with a schema, no rows. */
export class ScriptedCatalog {
  private readonly tables = new Map<string, any>();
  private readonly sets = new Map<string, { project: string; dataset: string; location: string }>();

  constructor(private readonly location: string) {}

  dataset(n: { project: string; dataset: string }) {
    return this.sets.get(`${n.project}.${n.dataset}`);
  }

  listDatasets(project: string) {
    return this.allDatasets().filter((d) => d.project === project);
  }

  allDatasets() {
    return [...this.sets.values()];
  }

  async createDataset(n: { project: string; dataset: string }, location: string) {
    const entry = { project: n.project, dataset: n.dataset, location };
    if (!this.sets.has(`${n.project}.${n.dataset}`)) this.sets.set(`${n.project}.${n.dataset}`, entry);
    return this.sets.get(`${n.project}.${n.dataset}`)!;
  }

  async list(n: { project: string; dataset: string }) {
    return [...this.tables.values()].filter((t) => t.tableReference.projectId === n.project && t.tableReference.datasetId === n.dataset);
  }

  async resource(n: { project: string; dataset: string; table: string }) {
    return this.tables.get(`${n.project}.${n.dataset}.${n.table}`);
  }

  async patch(n: { project: string; dataset: string; table: string }, body: any) {
    return Object.assign(this.tables.get(`${n.project}.${n.dataset}.${n.table}`), body);
  }

  register(n: { project: string; dataset: string; table: string }, schema: FakeField[], type: "TABLE" | "VIEW"): Promise<void> {
    void this.createDataset(n, this.location);
    this.tables.set(`${n.project}.${n.dataset}.${n.table}`, {
      kind: "bigquery#table",
      id: `${n.project}:${n.dataset}.${n.table}`,
      tableReference: { projectId: n.project, datasetId: n.dataset, tableId: n.table },
      type,
      schema: { fields: schema },
      // Fixed times keep captured outputs (the CLI prints lastUpdatedMillis) deterministic.
      creationTime: FIXED_TIME,
      lastModifiedTime: FIXED_TIME,
      location: this.location,
    });
    return Promise.resolve();
  }

  remove(n: { project: string; dataset: string; table: string }) {
    this.tables.delete(`${n.project}.${n.dataset}.${n.table}`);
  }

  targets() {
    return [...this.tables.values()].map((t) => ({ database: t.tableReference.projectId, schema: t.tableReference.datasetId, name: t.tableReference.tableId }));
  }
}
