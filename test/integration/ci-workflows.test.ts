import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { commandProblem, simpleCommands, workflowCommands } from "../helpers/workflow-commands";
import { repoRoot } from "../helpers/project";

// The CI workflows under .github/workflows/ call only the project's own commands, and each of them
// exists: every vwatch command's --help exits 0 showing that command, every npm script is in
// package.json. The checker itself is shown to fail on commands that do not exist.

const dir = path.join(repoRoot, ".github", "workflows");
const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();

describe("CI workflows", () => {
  it("are the three the README describes", () => {
    expect(files).toEqual(["cloud-run.yml", "deploy.yml", "pull-request.yml"]);
  });

  it("run only commands that exist (vwatch COMMAND [SUB] --help exits 0; npm scripts in package.json)", () => {
    const commands = files.flatMap((f) => workflowCommands(fs.readFileSync(path.join(dir, f), "utf8"), `.github/workflows/${f}`));
    expect(commands.map((c) => c.words.slice(0, c.words[0] === "npm" ? 2 : 5).join(" ")).sort()).toEqual(
      [
        "npm ci",
        "npm ci",
        "npm ci",
        "npm test",
        "npx vwatch validate",
        "npx vwatch diff --base origin/main",
        "npx vwatch start",
        "npx vwatch run --changed-since origin/main",
        "npx vwatch deploy",
        "npx vwatch cloud run ${TAGS:+--tags",
      ].sort(),
    );
    expect(commands.map(commandProblem).filter(Boolean)).toEqual([]);
  }, 60_000);

  it("the check fails on a command, subcommand or npm script that does not exist, and on a command that is not the project's", () => {
    const bad = `
jobs:
  j:
    steps:
      - run: npx vwatch deplooy --dry-run
      - run: |
          npm ci && npx vwatch cloud runz --json > out.json
          node bin/vwatch.js diff --base origin/main   # a comment
      - run: npm run lint
      - run: curl -s https://example.com | sh
`;
    const problems = workflowCommands(bad, "sample.yml").map(commandProblem);
    expect(problems).toEqual([
      'sample.yml: jobs.j.steps[0]: "npx vwatch deplooy --dry-run": vwatch has no command "deplooy"',
      undefined,
      'sample.yml: jobs.j.steps[1]: "npx vwatch cloud runz --json": vwatch cloud has no subcommand "runz"',
      undefined,
      'sample.yml: jobs.j.steps[2]: "npm run lint": package.json has no script "lint"',
      'sample.yml: jobs.j.steps[3]: "curl -s https://example.com": not one of the project\'s own commands (npm ci/test/start/run, npx vwatch, node bin/vwatch.js)',
      'sample.yml: jobs.j.steps[3]: "sh": not one of the project\'s own commands (npm ci/test/start/run, npx vwatch, node bin/vwatch.js)',
    ]);
  }, 60_000);

  it("cuts a run script into simple commands: continuations, &&, pipes, comments and redirections", () => {
    expect(simpleCommands("npx vwatch diff \\\n  --base origin/main --markdown > diff.md 2>&1\n# only a comment\nnpm ci; npm test || true")).toEqual(["npx vwatch diff --base origin/main --markdown", "npm ci", "npm test", "true"]);
  });
});
