/**
 * The first half of a run on the Dataform service, shared by `vwatch cloud run` and the server's
 * `POST /runs` with `where: "dataform"`: the service compiles (the release config, or a Git
 * commitish with the release's overrides and the run's vars), and the selection is checked
 * against what it compiled before any invocation starts.
 */
import { InputError } from "../errors";
import { log } from "../log";
import { compilationFailure } from "./compilation-errors";
import type { CompilationResultAction, DataformApi } from "./dataform-api";
import { compilationResultBody, type CloudRunFlags } from "./run-request";
import type { ProductionSettings } from "./settings-schema";
import { candidatesFromCompilation, resolveSelection, type ApiTarget } from "./targets";

export interface Compiled {
  /** The compilation result's name. */
  compilationResult: string;
  compiled: CompilationResultAction[];
  targets: ApiTarget[];
  /** What was compiled, for the run record. */
  source: { releaseConfig?: string; gitCommitish?: string; resolvedGitCommitSha?: string };
}

/** `where` names a bad selection field in errors (--tags for the CLI, selection.tags for the server). */
export async function compileForRun(api: DataformApi, repository: string, p: ProductionSettings, flags: CloudRunFlags, where: (kind: "tags" | "actions", index: number) => string): Promise<Compiled> {
  const body = compilationResultBody(p, flags);
  const source = body.releaseConfig ? `release config ${p.release.id}` : `${body.gitCommitish} with the release config's overrides${flags.vars ? " and the run's vars" : ""}`;
  log.info(`compiling ${source} on the Dataform service (${repository})`);
  const result = await api.createCompilationResult(repository, body);
  const failure = compilationFailure(result, source);
  if (failure) throw failure;
  const compiled = await api.queryCompilationResultActions(String(result.name));
  const selection = resolveSelection(candidatesFromCompilation(compiled), flags.tags ?? [], flags.actions ?? [], where);
  if (selection.problems.length) throw new InputError(selection.problems.join("\n"));
  return {
    compilationResult: String(result.name),
    compiled,
    targets: selection.targets,
    source: { ...(body.releaseConfig ? { releaseConfig: String(body.releaseConfig) } : { gitCommitish: String(body.gitCommitish) }), resolvedGitCommitSha: result.resolvedGitCommitSha || undefined },
  };
}
