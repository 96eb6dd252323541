import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/**
 * A Dataform project folder made a Git repository with everything committed (node_modules, a
 * link to the repository's, ignored), for comparing the working tree with a ref. Commits have a
 * fixed author and date, so their hashes are stable.
 */
export interface GitProject {
  dir: string;
  git(...args: string[]): string;
  /** Commits everything as it is now; the new commit's hash. */
  commit(message: string): string;
  /** Back to the last commit: edits undone, new files removed. */
  reset(): void;
  write(file: string, text: string): void;
  edit(file: string, from: string | RegExp, to: string): void;
}

const ENV = {
  GIT_AUTHOR_NAME: "test",
  GIT_AUTHOR_EMAIL: "test@example.com",
  GIT_COMMITTER_NAME: "test",
  GIT_COMMITTER_EMAIL: "test@example.com",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};

export function gitProject(dir: string): GitProject {
  const git = (...args: string[]) => execFileSync("git", args, { cwd: dir, encoding: "utf8", env: { ...process.env, ...ENV } }).trim();
  fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules\n");
  git("init", "-q", "-b", "main");
  const project: GitProject = {
    dir,
    git,
    commit(message) {
      git("add", "-A");
      git("commit", "-q", "-m", message);
      return git("rev-parse", "HEAD");
    },
    reset() {
      git("checkout", "-q", "--", ".");
      git("clean", "-fdq");
    },
    write(file, text) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), text);
    },
    edit(file, from, to) {
      const full = path.join(dir, file);
      const text = fs.readFileSync(full, "utf8");
      const next = text.replace(from, to);
      if (next === text) throw new Error(`${String(from)} not found in ${file}`);
      fs.writeFileSync(full, next);
    },
  };
  project.commit("the project");
  return project;
}
