import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli";
import { copyOwnProject, tempHome } from "../helpers/project";

const project = copyOwnProject();

describe("vwatch validate --script", () => {
  it("analyzes every statement of the rendered Vertex AI script with ZetaSQL (DECLARE from @run_date, the views' EXECUTE IMMEDIATE, IF branches, ASSERT)", async () => {
    const home = tempHome();
    const file = path.join(home, "vertex.sql");
    const rendered = await runCli(["--home", home, "--project-dir", project, "render", "script", "--actions", "entity_risk_training_data", "--out", file]);
    expect(rendered.code).toBe(0);
    expect(rendered.err).toMatch(/rendered \d+ actions as one BigQuery script in .*vertex\.sql; as_of = @run_date/);
    const ok = await runCli(["--home", home, "--project-dir", project, "validate", "--script", file]);
    expect(ok.err).not.toContain("not validated");
    expect(ok.out).toMatch(/^validated \d+ statements of \d+ actions: 0 errors \(/m);
    expect(ok.code).toBe(0);
  }, 180_000);

  it("a broken statement inside an IF branch is an error at its line and column of the script file, exit 2", async () => {
    const home = tempHome();
    const file = path.join(home, "mentions.sql");
    expect((await runCli(["--home", home, "--project-dir", project, "render", "script", "--tags", "mentions", "--out", file])).code).toBe(0);
    const lines = fs.readFileSync(file, "utf8").split("\n");
    const at = lines.findIndex((l) => l.includes("and T.mention_date >= date_sub("));
    lines[at] = lines[at].replace("T.mention_date", "T.mention_dat");
    fs.writeFileSync(file, lines.join("\n"));
    const bad = await runCli(["--home", home, "--project-dir", project, "validate", "--script", file]);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain(`${file}:${at + 1}:${lines[at].indexOf("T.mention_dat") + 3}: Name mention_dat not found inside T (script)`);
  }, 180_000);
});
