import * as fs from "fs";
import * as path from "path";
import { afterAll, describe, expect, it } from "vitest";
import { compileProject } from "../../orchestrator/compile/compile";
import { targetName } from "../../orchestrator/compile/graph";
import { lineagePage, scriptJson, type LineageData } from "../../orchestrator/lineage/page";
import { makeProject } from "../helpers/project";

/** A small project with every action type, and a description and column that need escaping. */
const dir = makeProject({
  "definitions/src.sqlx": `config { type: "declaration", schema: "raw", name: "src" }`,
  "definitions/a.sqlx": `config {\n  type: "view",\n  description: "Reads <b>\\"src\\"</b> & </script>",\n  tags: ["x"],\n  columns: { id: "The <id>." }\n}\nselect id from \${ref("src")}\n`,
  "definitions/b.sqlx": `config { type: "incremental" }\nselect id from \${ref("a")}\n`,
  "definitions/chk.sqlx": `config { type: "assertion" }\nselect * from \${ref("a")} where id is null\n`,
  "definitions/op.sqlx": `config { type: "operations", hasOutput: false }\ndelete from \${ref("b")} where false\n`,
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const graph = compileProject({ projectDir: dir });
const lastStatus = new Map([["testproj.ds.b", "success"], ["testproj.ds.a", "failed"]]);

/** The page's details JSON, parsed as the page's script parses it. */
function dataOf(body: string): LineageData {
  const m = /<script type="application\/json" id="lineage-data">([\s\S]*?)<\/script>/.exec(body);
  return JSON.parse(m![1]);
}

describe("the lineage page", () => {
  it("draws one focusable node per action, coloured by its last status, and one edge per dependency", async () => {
    const { title, body } = await lineagePage({ graph, lastStatus, projectDir: dir });
    expect(title).toBe("Lineage");
    const nodes = [...body.matchAll(/<g class="node" data-action="([^"]+)" data-type="([^"]+)" data-status="([^"]+)"[^>]* tabindex="0" role="button"/g)].map((m) => m.slice(1));
    expect(nodes).toEqual([
      ["testproj.raw.src", "declaration", "not run"],
      ["testproj.ds.a", "view", "failed"],
      ["testproj.ds.b", "incremental", "succeeded"],
      ["testproj.ds.op", "operation", "not run"],
      ["testproj.ds_assertions.chk", "assertion", "not run"],
    ]);
    expect([...body.matchAll(/<path class="edge" data-from="([^"]+)" data-to="([^"]+)"/g)].map((m) => `${m[1]} -> ${m[2]}`).sort()).toEqual([
      "testproj.ds.a -> testproj.ds.b",
      "testproj.ds.a -> testproj.ds_assertions.chk",
      "testproj.ds.b -> testproj.ds.op",
      "testproj.raw.src -> testproj.ds.a",
    ]);
    expect(body).toContain('<p class="lineage-summary">5 actions, 4 dependencies (1 succeeded, 1 failed, 3 not run).');
  });

  it("carries each node's details and its SQLX file's text as JSON", async () => {
    const data = dataOf((await lineagePage({ graph, lastStatus, projectDir: dir })).body);
    const a = data.nodes.find((n) => n.name === "testproj.ds.a")!;
    expect(a).toEqual({
      name: "testproj.ds.a",
      label: "a",
      type: "view",
      status: "failed",
      file: "definitions/a.sqlx",
      description: 'Reads <b>"src"</b> & </script>',
      columns: [{ name: "id", description: "The <id>." }],
      tags: ["x"],
      sql: graph.tables!.find((t) => targetName(t.target) === "testproj.ds.a")!.query!.trim(),
      upstream: ["testproj.raw.src"],
      downstream: ["testproj.ds.b", "testproj.ds_assertions.chk"],
    });
    expect(a.sql).toContain("from `testproj.raw.src`");
    expect(data.nodes.find((n) => n.name === "testproj.raw.src")!.sql).toBeUndefined();
    expect(Object.keys(data.files).sort()).toEqual(["definitions/a.sqlx", "definitions/b.sqlx", "definitions/chk.sqlx", "definitions/op.sqlx", "definitions/src.sqlx"]);
    expect(data.files["definitions/a.sqlx"]).toBe(fs.readFileSync(path.join(dir, "definitions/a.sqlx"), "utf8"));
  });

  it("no text from the project can close the script element or add markup", async () => {
    const { body } = await lineagePage({ graph, lastStatus, projectDir: dir });
    expect(body.match(/<\/script>/g)).toHaveLength(2);
    expect(body).not.toContain("<b>");
    expect(scriptJson({ s: "</script><!-- \u2028" })).toBe('{"s":"\\u003c/script>\\u003c!-- \\u2028"}');
  });

  it("a SQLX file that cannot be read is null in the data, not an error; a later page shows the new statuses", async () => {
    const moved = makeProject({});
    try {
      // The same compiled graph as above (its layout is reused), other statuses: the colours follow.
      const { body } = await lineagePage({ graph, lastStatus: new Map([["testproj.ds.op", "skipped"]]), projectDir: moved });
      const data = dataOf(body);
      expect(data.files["definitions/a.sqlx"]).toBeNull();
      expect(data.nodes.map((n) => n.status)).toEqual(["not run", "not run", "not run", "skipped", "not run"]);
      expect([...body.matchAll(/data-action="([^"]+)" data-type="[^"]+" data-status="([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`)).toEqual([
        "testproj.raw.src not run",
        "testproj.ds.a not run",
        "testproj.ds.b not run",
        "testproj.ds.op skipped",
        "testproj.ds_assertions.chk not run",
      ]);
    } finally {
      fs.rmSync(moved, { recursive: true, force: true });
    }
  });
});
