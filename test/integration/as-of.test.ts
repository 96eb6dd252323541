import * as path from "path";
import { describe, expect, it } from "vitest";
import { loadGdeltFiles } from "../../orchestrator/load/gdelt";
import { readResults } from "../../orchestrator/run/results";
import { runCli } from "../helpers/cli";
import { repoRoot, tempHome } from "../helpers/project";

// `vwatch run` always says which as_of it scores and how it was chosen, records both in
// run_results.json, and warns when it fell back to the current date or tracks no focus event.

const GDELT = path.join(repoRoot, "test/fixtures/gdelt");
const EVENTS = path.join(GDELT, "20150218231500.export.CSV");
const MENTIONS = path.join(GDELT, "20150218231500.mentions.CSV");

async function homeWith(files: string[]): Promise<string> {
  const home = tempHome();
  await loadGdeltFiles(path.join(home, "warehouse.duckdb"), files);
  return home;
}

const run = (home: string, ...args: string[]) => runCli(["--home", home, "--project-dir", repoRoot, "run", "--tags", "mentions", "--no-sync", ...args]);

describe("as_of of a run", () => {
  it("events loaded but no mentions: warns that it fell back to the current date and that the focus set is empty, and records both", async () => {
    const home = await homeWith([EVENTS]);
    const today = new Date().toISOString().slice(0, 10);
    const r = await run(home);
    expect(r.err).toContain(
      `warning: as_of = ${today}, the current date: no GDELT mentions are loaded (\`vwatch load gdelt\` them, or pass --vars as_of=YYYY-MM-DD)\n`,
    );
    expect(r.err).toContain(
      `warning: int_focus_events is empty: no event with actor country code VEN or action geography code VE was added in the 30 days (event_window_days) before as_of ${today}\n`,
    );
    const record = readResults(home)!;
    expect(record.asOf).toEqual({ day: today, chosenBy: "current_date" });
    expect(record.options.vars).toEqual({ as_of: today });
    expect(record.warnings).toHaveLength(2);
  });

  it("mentions loaded: the latest mention day, printed and recorded", async () => {
    const home = await homeWith([EVENTS, MENTIONS]);
    const r = await run(home);
    expect(r.err).toMatch(/^as_of = 2015-02-18 \(the latest mention day in the warehouse\)$/m);
    expect(readResults(home)!.asOf).toEqual({ day: "2015-02-18", chosenBy: "latest_mention_day" });
    expect(r.err).not.toMatch(/warning: as_of/);
  });

  it("--vars as_of: printed and recorded as given", async () => {
    const home = await homeWith([EVENTS, MENTIONS]);
    const r = await run(home, "--vars", "as_of=2015-02-20");
    expect(r.err).toMatch(/^as_of = 2015-02-20 \(the var as_of\)$/m);
    const record = readResults(home)!;
    expect(record.asOf).toEqual({ day: "2015-02-20", chosenBy: "var" });
    expect(record.options.vars).toEqual({ as_of: "2015-02-20" });
  });
});
