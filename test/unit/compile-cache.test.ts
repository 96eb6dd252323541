import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { compileCached } from "../../orchestrator/compile/cache";
import { makeProject, tempHome } from "../helpers/project";

describe("compile cache", () => {
  it("reuses a graph until a definition or the vars change", () => {
    const dir = makeProject({ "definitions/t.sqlx": `config { type: "table" }\nselect 1 as a` });
    const cache = path.join(tempHome(), "compiled");
    const query = (vars?: Record<string, string>) =>
      compileCached({ projectDir: dir, projectConfigOverride: vars ? { vars } : undefined }, cache).tables![0].query!.trim();
    expect(query()).toBe("select 1 as a");
    expect(fs.readdirSync(cache)).toHaveLength(1);
    fs.writeFileSync(path.join(dir, "definitions/t.sqlx"), `config { type: "table" }\nselect 2 as a`);
    expect(query()).toBe("select 2 as a");
    query({ x: "1" });
    expect(fs.readdirSync(cache)).toHaveLength(3);
  });

  it("never keeps a graph with compilation errors", () => {
    const dir = makeProject({ "definitions/bad.sqlx": `config { type: "table" }\nselect \${ 1 + }` });
    const cache = path.join(tempHome(), "compiled");
    expect(compileCached({ projectDir: dir }, cache).graphErrors?.compilationErrors?.length).toBeGreaterThan(0);
    expect(fs.existsSync(cache) ? fs.readdirSync(cache) : []).toEqual([]);
  });
});
