import * as fs from "fs";
import { afterAll, describe, expect, it } from "vitest";
import { readSqlx } from "../../orchestrator/validate/sqlx-source";
import { align, lineColumn, mapOffset, nameInMessage, offsetOfZetaSqlPosition, SourceMapper, splitZetaSqlMessage } from "../../orchestrator/validate/source-map";
import { makeProject } from "../helpers/project";

// Positions in generated BigQuery statements traced back to the SQLX file (pure: no compiler, no server).

const SQLX = `config {
  type: "incremental",
  uniqueKey: ["event_id"],
  columns: { event_id: "id", mention_date: "day" },
  assertions: { nonNull: ["event_id", "mention_date"], rowConditions: ["mention_count >= 0"] }
}

js {
  const unused = "}";
}

with mentions as (
  select * from \${ref("stg_mentions")}
),

final as (
  select event_id, mention_date, count(*) as mention_count
  from mentions
  where mention_day >= \${vars.asOf()}
  \${when(incremental(), \`and mention_date >= (select max(mention_date) from \${self()})\`)}
  group by 1, 2
)

-- a comment with \${not_a_hole}
select * from final
`;

// What @dataform/core compiles the body to (incremental form), with refs and vars resolved.
const COMPILED =
  "\n\n\n\nwith mentions as (\n  select * from `p.staging.stg_mentions`\n),\n\nfinal as (\n  select event_id, mention_date, count(*) as mention_count\n  from mentions\n" +
  "  where mention_day >= date '2015-02-18'\n  and mention_date >= (select max(mention_date) from `p.analytics.daily`)\n  group by 1, 2\n)\n\n-- a comment with ${not_a_hole}\nselect * from final\n";

const fileOffset = (needle: string, occurrence = 0) => {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) at = SQLX.indexOf(needle, at + 1);
  return at;
};

describe("reading a SQLX file as templates", () => {
  const source = readSqlx(SQLX);

  it("leaves out config and js blocks and keeps ${…} in comments as text", () => {
    expect(source.templates).toHaveLength(1);
    expect(source.config?.start).toBe(0);
    const text = source.templates[0].filter((p) => p.kind === "text").map((p) => (p.kind === "text" ? p.text : "")).join("");
    expect(text).toContain("-- a comment with ${not_a_hole}");
    expect(text).not.toContain("unused");
    expect(source.templates[0].filter((p) => p.kind === "hole")).toHaveLength(3);
  });

  it("records config strings and keys with the keys enclosing them", () => {
    const nonNull = source.config!.literals.filter((l) => l.value === "mention_date");
    expect(nonNull.map((l) => l.path)).toEqual([["columns", "mention_date"], ["assertions", "nonNull"]]);
    expect(SQLX.slice(nonNull[1].start, nonNull[1].start + 12)).toBe("mention_date");
  });

  it("finds where the SQL body starts", () => {
    expect(source.bodyStart).toBe(fileOffset("with mentions"));
  });
});

describe("aligning a compiled query with its template", () => {
  const template = readSqlx(SQLX).templates[0];
  const placements = align(template, COMPILED)!;

  it("maps a position in literal text exactly", () => {
    expect(mapOffset(placements, COMPILED, COMPILED.indexOf("mention_day >="))).toBe(fileOffset("mention_day >="));
    expect(mapOffset(placements, COMPILED, COMPILED.indexOf("select * from final"))).toBe(fileOffset("select * from final"));
  });

  it("maps a position after a ${ref()} on the same line to the file's column, not the expanded one", () => {
    const compiled = COMPILED.indexOf("),\n\nfinal");
    expect(mapOffset(placements, COMPILED, compiled)).toBe(fileOffset("),\n\nfinal"));
  });

  it("maps a position inside an expansion to the ${ of the expression", () => {
    expect(mapOffset(placements, COMPILED, COMPILED.indexOf("p.staging"))).toBe(fileOffset("${ref("));
  });

  it("maps a position inside when(incremental(), `…`) to the text of the template literal", () => {
    const compiled = COMPILED.indexOf("max(mention_date)");
    expect(mapOffset(placements, COMPILED, compiled)).toBe(fileOffset("max(mention_date)"));
  });

  it("does not align a query from another file", () => {
    expect(align(template, "select 1")).toBeUndefined();
  });
});

describe("ZetaSQL positions", () => {
  it("reads [at line:column] off a message", () => {
    expect(splitZetaSqlMessage("Unrecognized name: x [at 3:14]")).toEqual({ message: "Unrecognized name: x", line: 3, column: 14 });
    expect(splitZetaSqlMessage("Something")).toEqual({ message: "Something" });
  });

  it("counts columns in characters and expands tabs to multiples of 8, as ZetaSQL does", () => {
    expect(offsetOfZetaSqlPosition("select\n\tfoo_bar(1)", 2, 9)).toBe(8);
    expect(offsetOfZetaSqlPosition("select 'é', x", 1, 13)).toBe(12);
    expect(offsetOfZetaSqlPosition("a\r\nbc", 2, 2)).toBe(4);
  });

  it("gives 1-based lines and character columns of a file offset", () => {
    expect(lineColumn("ab\ncdé f", 7)).toEqual({ line: 2, column: 5 });
  });

  it("names what an error is about", () => {
    expect(nameInMessage("Column not found: nope")).toBe("nope");
    expect(nameInMessage("Unrecognized name: missing_col; Did you mean x?")).toBe("missing_col");
    expect(nameInMessage("Name mention_day_numbr not found inside mentions")).toBe("mention_day_numbr");
  });
});

describe("SourceMapper", () => {
  const dir = makeProject({ "definitions/daily.sqlx": SQLX });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const mapper = new SourceMapper(dir);
  const origin = { fileName: "definitions/daily.sqlx", sources: [COMPILED], hints: ["assertions"] };
  const line = (needle: string) => SQLX.slice(0, fileOffset(needle)).split("\n").length;

  it("finds the compiled query inside a MERGE statement", () => {
    const merge = `merge \`p.analytics.daily\` T\nusing (${COMPILED}\n) S\non T.event_id = S.event_id`;
    const at = mapper.locate(origin, merge, merge.indexOf("mention_day >="));
    expect(at).toEqual({ file: "definitions/daily.sqlx", line: line("mention_day >="), column: 9, exact: true });
  });

  it("maps generated assertion SQL to the config string it came from", () => {
    const assertion = "SELECT 'mention_date IS NOT NULL' AS failing_row_condition, * FROM `p.analytics.daily` WHERE NOT (mention_date IS NOT NULL)";
    const at = mapper.locate(origin, assertion, assertion.lastIndexOf("mention_date IS NOT"));
    expect(at).toMatchObject({ line: 5, column: fileOffset('mention_date"]') - fileOffset("  assertions") + 1, exact: true });
  });

  it("maps a column description's ALTER COLUMN by the column it names", () => {
    const alter = "alter table `p.analytics.daily`\n  alter column `mention_date` set options(description='day')";
    const at = mapper.locate({ ...origin, hints: ["columns"] }, alter, 0, "mention_date");
    expect(at).toMatchObject({ line: 4, column: fileOffset("mention_date:") - fileOffset("  columns") + 1 });
  });

  it("falls back to the first line of the SQL body", () => {
    expect(mapper.locate({ ...origin, sources: [] }, "select 1", 0)).toMatchObject({ line: line("with mentions"), column: 1, exact: false });
  });

  it("knows no position for an action without a file", () => {
    expect(mapper.locate({ sources: [] }, "select 1", 0)).toBeUndefined();
  });
});
