import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { openDuckdb } from "../../orchestrator/warehouse/duckdb/adapter";

export const repoRoot = path.join(__dirname, "..", "..");

const SETTINGS = `defaultProject: testproj
defaultLocation: US
defaultDataset: ds
defaultAssertionDataset: ds_assertions
`;

/**
 * A throwaway Dataform project: the given files (paths relative to the project) plus
 * workflow_settings.yaml, with the repository's node_modules linked in so core resolves.
 */
export function makeProject(files: Record<string, string>, settings = SETTINGS): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-project-"));
  fs.writeFileSync(path.join(dir, "workflow_settings.yaml"), settings);
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"), "dir");
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A throwaway copy of a Dataform project (definitions, includes, settings), `extra` files on top. */
export function copyProject(source: string, extra: Record<string, string> = {}): string {
  const dir = makeProject({}, fs.readFileSync(path.join(source, "workflow_settings.yaml"), "utf8"));
  for (const folder of ["definitions", "includes"]) {
    if (fs.existsSync(path.join(source, folder))) fs.cpSync(path.join(source, folder), path.join(dir, folder), { recursive: true });
  }
  for (const [name, text] of Object.entries(extra)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

/** A copy of this repository's own project to run or modify in a test. */
export const copyOwnProject = (extra: Record<string, string> = {}) => copyProject(repoRoot, extra);

export function tempHome(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-home-"));
}

/** Rows of a query on the local warehouse of a vwatch home. */
export async function warehouseRows(home: string, sql: string): Promise<Record<string, unknown>[]> {
  const db = await openDuckdb(path.join(home, "warehouse.duckdb"));
  try {
    return await db.query(sql);
  } finally {
    await db.close();
  }
}
