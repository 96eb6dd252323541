/**
 * The project as it is at a Git ref: a temporary `git worktree` of the ref in the system temp
 * folder, removed afterwards whatever happens (an error, SIGINT, SIGTERM). The ref's own
 * workflow_settings.yaml, includes/ and definitions/ apply; its node_modules is the working
 * tree's (compiling needs @dataform/core), so a ref that pins another core version is refused:
 * its graph would not be what that version compiles.
 */
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CompileError, InputError } from "../errors";

export interface RefCheckout {
  /** The ref as given, e.g. origin/main. */
  ref: string;
  /** The commit it names. */
  commit: string;
  /** The Dataform project's folder inside the temporary worktree. */
  projectDir: string;
}

function git(cwd: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (r.error) throw new InputError(`git is needed to compare with a ref and could not be run: ${r.error.message}`);
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim().split("\n").pop() ?? "" };
}

/** The version a package.json pins @dataform/core to, when it pins an exact one. */
function pinnedCore(projectDir: string): { version: string; file: string } | undefined {
  const pkg = path.join(projectDir, "package.json");
  if (fs.existsSync(pkg)) {
    try {
      const json = JSON.parse(fs.readFileSync(pkg, "utf8"));
      const v = json.dependencies?.["@dataform/core"] ?? json.devDependencies?.["@dataform/core"];
      if (typeof v === "string") return { version: v.replace(/^[=v]+/, ""), file: "package.json" };
    } catch {
      // an unreadable package.json is the ref's business; compile says what breaks
    }
  }
  const settings = path.join(projectDir, "workflow_settings.yaml");
  const m = fs.existsSync(settings) ? /^dataformCoreVersion:\s*["']?([^"'\s#]+)/m.exec(fs.readFileSync(settings, "utf8")) : null;
  return m ? { version: m[1], file: "workflow_settings.yaml" } : undefined;
}

function installedCore(projectDir: string): string | undefined {
  const file = path.join(projectDir, "node_modules", "@dataform", "core", "package.json");
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")).version : undefined;
}

/** Runs fn with the project checked out at `ref` (see the module comment); the checkout is gone when it returns. */
export async function withRefCheckout<T>(projectDir: string, ref: string, fn: (checkout: RefCheckout) => Promise<T>, flag = "--base"): Promise<T> {
  const here = path.resolve(projectDir);
  const top = git(here, ["rev-parse", "--show-toplevel"]);
  if (!top.ok) throw new InputError(`${flag} ${ref}: the project (${here}) is not in a Git repository`);
  if (ref.startsWith("-")) throw new InputError(`${flag} ${ref}: not a Git ref`);
  const commit = git(top.out, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!commit.ok) {
    throw new InputError(`${flag} ${ref}: no such commit, branch or tag in this repository; name one that exists (for a remote branch, \`git fetch\` it first)`);
  }
  const prefix = path.relative(fs.realpathSync(top.out), fs.realpathSync(here));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "vwatch-base-"));
  const tree = path.join(tmp, "tree");
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    git(top.out, ["worktree", "remove", "--force", tree]);
    fs.rmSync(tmp, { recursive: true, force: true });
    git(top.out, ["worktree", "prune"]);
  };
  // On Ctrl-C or a kill the `finally` below never runs: remove the worktree, then die of the signal.
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  try {
    const added = git(top.out, ["worktree", "add", "--detach", "--quiet", tree, commit.out]);
    if (!added.ok) throw new InputError(`${flag} ${ref}: could not check it out in a temporary worktree: ${added.err}`);
    const baseDir = path.join(tree, prefix);
    if (!fs.existsSync(path.join(baseDir, "workflow_settings.yaml"))) {
      throw new CompileError(`the base (${ref}) has no Dataform project at ${prefix || "the repository root"}: no workflow_settings.yaml there`);
    }
    const installed = installedCore(here);
    const pinned = pinnedCore(baseDir);
    if (installed && pinned && pinned.version !== installed) {
      throw new CompileError(
        `the base (${ref}) pins @dataform/core ${pinned.version} in its ${pinned.file}, but ${installed} is installed here and compiles both sides; ` +
          `compare with a ref that pins ${installed}, or install ${pinned.version} (npm ci on a checkout of ${ref}) and run the diff from there`,
      );
    }
    if (!fs.existsSync(path.join(baseDir, "node_modules"))) {
      fs.symlinkSync(fs.realpathSync(path.join(here, "node_modules")), path.join(baseDir, "node_modules"), "dir");
    }
    return await fn({ ref, commit: commit.out, projectDir: baseDir });
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    remove();
  }
}
