/**
 * The fake Dataform service's state: repositories, release and workflow configs, compilation
 * results and workflow invocations, each created, read, patched and deleted by the API's rules.
 * `triggerRelease` and `triggerSchedule` play the service's scheduler for a test.
 */
import { createHash, randomUUID } from "crypto";
import type { FakeAction } from "./actions";
import { FakeInvocation, type InvocationScript } from "./invocations";
import { alreadyExists, applyMask, badRequest, checkCron, checkId, checkLabels, checkSecretVersion, checkTimeZone, failedPrecondition, notFound, required } from "./rules";

type Collection = "repositories" | "releaseConfigs" | "workflowConfigs" | "compilationResults";
type Resource = Record<string, any>;

/** Output-only fields: accepted in a request body (a client may send back what it read) and ignored. */
const OUTPUT_ONLY = ["createTime", "updateTime", "dataEncryptionState", "internalMetadata", "recentScheduledReleaseRecords", "recentScheduledExecutionRecords"];
const REPOSITORY_FIELDS = [...OUTPUT_ONLY, "name", "displayName", "gitRemoteSettings", "npmrcEnvironmentVariablesSecretVersion", "workspaceCompilationOverrides", "labels", "setAuthenticatedUserAdmin", "serviceAccount", "kmsKeyName"];
const RELEASE_FIELDS = [...OUTPUT_ONLY, "name", "gitCommitish", "codeCompilationConfig", "cronSchedule", "timeZone", "releaseCompilationResult", "disabled"];
const WORKFLOW_FIELDS = [...OUTPUT_ONLY, "name", "releaseConfig", "invocationConfig", "cronSchedule", "timeZone", "disabled"];
const COMPILATION_CONFIG = ["default_database", "default_schema", "default_location", "assertion_schema", "vars", "database_suffix", "schema_suffix", "table_prefix", "builtin_assertion_name_prefix", "default_notebook_runtime_options"];
const INVOCATION_CONFIG = ["included_targets", "included_tags", "transitive_dependencies_included", "transitive_dependents_included", "fully_refresh_incremental_tables_enabled", "service_account"];

const UPDATABLE: Record<Collection, Record<string, string[] | true>> = {
  repositories: {
    display_name: true,
    git_remote_settings: ["url", "default_branch", "authentication_token_secret_version", "ssh_authentication_config"],
    npmrc_environment_variables_secret_version: true,
    workspace_compilation_overrides: ["default_database", "schema_suffix", "table_prefix"],
    labels: true,
    service_account: true,
  },
  releaseConfigs: { git_commitish: true, code_compilation_config: COMPILATION_CONFIG, cron_schedule: true, time_zone: true, release_compilation_result: true, disabled: true },
  workflowConfigs: { release_config: true, invocation_config: INVOCATION_CONFIG, cron_schedule: true, time_zone: true, disabled: true },
  compilationResults: {},
};

const parentOf = (name: string) => name.slice(0, name.lastIndexOf("/", name.lastIndexOf("/") - 1));
const now = () => new Date().toISOString();

export class DataformStore {
  readonly resources: Record<Collection, Map<string, Resource>> = { repositories: new Map(), releaseConfigs: new Map(), workflowConfigs: new Map(), compilationResults: new Map() };
  readonly invocations = new Map<string, FakeInvocation>();
  private readonly compiled = new Map<string, FakeAction[]>();
  private nextActions: FakeAction[] = [];
  private nextErrors: { path: string; message: string }[] = [];
  private script: InvocationScript = {};
  private counter = 0;

  setCompiled(actions: FakeAction[], errors: { path: string; message: string }[]): void {
    this.nextActions = actions;
    this.nextErrors = errors;
  }

  setScript(script: InvocationScript): void {
    this.script = script;
  }

  get(collection: Collection, name: string): Resource {
    if (collection !== "repositories") this.repository(parentOf(name));
    const found = this.resources[collection].get(name);
    if (!found) throw notFound(name);
    return structuredClone(found);
  }

  listRepositories(parent: string): Resource[] {
    return [...this.resources.repositories.values()].filter((r) => r.name.startsWith(`${parent}/`)).sort(byName);
  }

  children(collection: Collection, repository: string): Resource[] {
    this.repository(repository);
    return [...this.resources[collection].values()].filter((r) => parentOf(r.name) === repository).sort(byName);
  }

  createRepository(parent: string, id: string | undefined, body: Resource): Resource {
    const name = `${parent}/repositories/${checkId(id, "repository_id")}`;
    if (this.resources.repositories.has(name)) throw alreadyExists(name);
    const repo: Resource = { ...withoutOutputOnly(known(body, REPOSITORY_FIELDS, "repository")), name, createTime: now() };
    delete repo.setAuthenticatedUserAdmin;
    checkRepository(repo);
    this.resources.repositories.set(name, repo);
    return structuredClone(repo);
  }

  updateRepository(name: string, body: Resource, mask?: string): Resource {
    const existing = this.get("repositories", name);
    const next = applyMask(existing, known(body, REPOSITORY_FIELDS, "repository"), mask, UPDATABLE.repositories);
    checkRepository(next);
    this.resources.repositories.set(name, next);
    return structuredClone(next);
  }

  createConfig(collection: "releaseConfigs" | "workflowConfigs", repository: string, id: string | undefined, body: Resource): Resource {
    this.repository(repository);
    const name = `${repository}/${collection}/${checkId(id, collection === "releaseConfigs" ? "release_config_id" : "workflow_config_id")}`;
    if (this.resources[collection].has(name)) throw alreadyExists(name);
    const config: Resource = { ...withoutOutputOnly(known(body, collection === "releaseConfigs" ? RELEASE_FIELDS : WORKFLOW_FIELDS, snakeCase(collection.slice(0, -1)))), name };
    if (collection === "workflowConfigs") Object.assign(config, { createTime: now(), updateTime: now(), recentScheduledExecutionRecords: [] });
    else config.recentScheduledReleaseRecords = [];
    this.checkConfig(collection, config);
    this.resources[collection].set(name, config);
    return structuredClone(config);
  }

  updateConfig(collection: "releaseConfigs" | "workflowConfigs", name: string, body: Resource, mask?: string): Resource {
    const existing = this.get(collection, name);
    const next = applyMask(existing, known(body, collection === "releaseConfigs" ? RELEASE_FIELDS : WORKFLOW_FIELDS, snakeCase(collection.slice(0, -1))), mask, UPDATABLE[collection]);
    this.checkConfig(collection, next);
    if (collection === "workflowConfigs") next.updateTime = now();
    this.resources[collection].set(name, next);
    return structuredClone(next);
  }

  delete(collection: "releaseConfigs" | "workflowConfigs", name: string): void {
    this.get(collection, name);
    if (collection === "releaseConfigs") {
      const users = [...this.resources.workflowConfigs.values()].filter((w) => w.releaseConfig === name);
      if (users.length) throw failedPrecondition(`release config ${name} is used by workflow config(s) ${users.map((u) => u.name).join(", ")}`);
    }
    this.resources[collection].delete(name);
  }

  createCompilationResult(repository: string, body: Resource): Resource {
    this.repository(repository);
    const sources = ["gitCommitish", "workspace", "releaseConfig"].filter((k) => body[k]);
    if (sources.length !== 1) throw badRequest("exactly one of git_commitish, workspace or release_config must be set", "compilation_result.source");
    const release = body.releaseConfig ? this.resources.releaseConfigs.get(body.releaseConfig) : undefined;
    if (body.releaseConfig && (!release || parentOf(body.releaseConfig) !== repository)) throw notFound(body.releaseConfig);
    const commitish = release?.gitCommitish ?? body.gitCommitish;
    const name = `${repository}/compilationResults/${randomUUID()}`;
    const result: Resource = {
      name,
      ...(body.gitCommitish ? { gitCommitish: body.gitCommitish } : {}),
      ...(body.workspace ? { workspace: body.workspace } : {}),
      ...(body.releaseConfig ? { releaseConfig: body.releaseConfig } : {}),
      codeCompilationConfig: release?.codeCompilationConfig ?? body.codeCompilationConfig ?? {},
      resolvedGitCommitSha: commitish ? createHash("sha1").update(commitish).digest("hex") : undefined,
      dataformCoreVersion: "3.0.52",
      compilationErrors: this.nextErrors.map((e) => ({ message: e.message, path: e.path, stack: `Error: ${e.message}` })),
      createTime: now(),
    };
    this.resources.compilationResults.set(name, result);
    this.compiled.set(name, structuredClone(this.nextActions));
    return structuredClone(result);
  }

  compiledActions(name: string): FakeAction[] {
    this.get("compilationResults", name);
    return this.compiled.get(name) ?? [];
  }

  createInvocation(repository: string, body: Resource): FakeInvocation {
    this.repository(repository);
    if (Boolean(body.compilationResult) === Boolean(body.workflowConfig)) throw badRequest("exactly one of compilation_result or workflow_config must be set", "workflow_invocation.compilation_source");
    let compilationResult = body.compilationResult as string | undefined;
    let invocationConfig = body.invocationConfig;
    if (body.workflowConfig) {
      const wc = this.resources.workflowConfigs.get(body.workflowConfig);
      if (!wc) throw notFound(body.workflowConfig);
      compilationResult = this.resources.releaseConfigs.get(wc.releaseConfig)?.releaseCompilationResult;
      if (!compilationResult) throw failedPrecondition(`release config ${wc.releaseConfig} has no release compilation result yet`);
      invocationConfig = wc.invocationConfig;
    }
    const result = this.resources.compilationResults.get(compilationResult!);
    if (!result || parentOf(compilationResult!) !== repository) throw notFound(compilationResult!);
    if (result.compilationErrors?.length) throw failedPrecondition(`compilation result ${compilationResult} has compilation errors`);
    for (const [i, t] of (invocationConfig?.includedTargets ?? []).entries()) required(t?.name, `workflow_invocation.invocation_config.included_targets[${i}].name`);
    const id = `${Math.floor(Date.now() / 1000)}-${(++this.counter).toString(16).padStart(6, "0")}`;
    const source = body.workflowConfig ? { workflowConfig: body.workflowConfig } : { compilationResult };
    const inv = new FakeInvocation(`${repository}/workflowInvocations/${id}`, source, compilationResult!, invocationConfig, this.compiled.get(compilationResult!) ?? [], this.script);
    this.invocations.set(inv.name, inv);
    return inv;
  }

  invocationsOf(repository: string): FakeInvocation[] {
    this.repository(repository);
    return [...this.invocations.values()].filter((i) => parentOf(i.name) === repository).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  invocation(name: string): FakeInvocation {
    this.repository(parentOf(name));
    const inv = this.invocations.get(name);
    if (!inv) throw notFound(name);
    return inv;
  }

  cancelInvocation(name: string): void {
    const inv = this.invocation(name);
    if (inv.terminal) throw failedPrecondition(`workflow invocation ${name} is not running (${inv.state})`);
    inv.cancel();
  }

  deleteInvocation(name: string): void {
    this.invocation(name);
    this.invocations.delete(name);
  }

  /** The scheduler compiling a release config: a compilation result, recorded on the config. */
  triggerRelease(releaseConfigName: string): Resource {
    const rc = this.resources.releaseConfigs.get(releaseConfigName);
    if (!rc) throw notFound(releaseConfigName);
    const result = this.createCompilationResult(parentOf(releaseConfigName), { releaseConfig: releaseConfigName });
    rc.releaseCompilationResult = result.name;
    rc.recentScheduledReleaseRecords = [{ releaseTime: now(), compilationResult: result.name }, ...rc.recentScheduledReleaseRecords].slice(0, 10);
    return result;
  }

  /** The scheduler running a workflow config: an invocation, or the error, recorded on the config. */
  triggerSchedule(workflowConfigName: string): FakeInvocation | undefined {
    const wc = this.resources.workflowConfigs.get(workflowConfigName);
    if (!wc) throw notFound(workflowConfigName);
    let record: Resource;
    let inv: FakeInvocation | undefined;
    try {
      inv = this.createInvocation(parentOf(workflowConfigName), { workflowConfig: workflowConfigName });
      record = { executionTime: now(), workflowInvocation: inv.name };
    } catch (e) {
      const err = e as { httpCode?: number; message: string };
      record = { executionTime: now(), errorStatus: { code: err.httpCode === 400 ? 9 : 13, message: err.message } };
    }
    wc.recentScheduledExecutionRecords = [record, ...wc.recentScheduledExecutionRecords].slice(0, 10);
    return inv;
  }

  private repository(name: string): Resource {
    const repo = this.resources.repositories.get(name);
    if (!repo) throw notFound(name);
    return repo;
  }

  private checkConfig(collection: "releaseConfigs" | "workflowConfigs", c: Resource): void {
    const what = collection === "releaseConfigs" ? "release_config" : "workflow_config";
    checkCron(c.cronSchedule, `${what}.cron_schedule`);
    checkTimeZone(c.timeZone, `${what}.time_zone`);
    if (collection === "releaseConfigs") {
      required(c.gitCommitish, "release_config.git_commitish");
      known(c.codeCompilationConfig ?? {}, COMPILATION_CONFIG.map(camelCase), "release_config.code_compilation_config");
      if (c.releaseCompilationResult && !this.resources.compilationResults.has(c.releaseCompilationResult)) throw notFound(c.releaseCompilationResult);
      return;
    }
    required(c.releaseConfig, "workflow_config.release_config");
    if (!/^projects\/[^/]+\/locations\/[^/]+\/repositories\/[^/]+\/releaseConfigs\/[^/]+$/.test(c.releaseConfig)) throw badRequest("workflow_config.release_config must be in the format projects/*/locations/*/repositories/*/releaseConfigs/*", "workflow_config.release_config");
    if (parentOf(c.releaseConfig) !== parentOf(c.name) || !this.resources.releaseConfigs.has(c.releaseConfig)) throw notFound(c.releaseConfig);
    const ic = known(c.invocationConfig ?? {}, INVOCATION_CONFIG.map(camelCase), "workflow_config.invocation_config");
    (ic.includedTargets ?? []).forEach((t: Resource, i: number) => required(t?.name, `workflow_config.invocation_config.included_targets[${i}].name`));
    if (ic.serviceAccount && !/^[^@\s]+@[^@\s]+$/.test(ic.serviceAccount)) throw badRequest("workflow_config.invocation_config.service_account must be a service account e-mail", "workflow_config.invocation_config.service_account");
  }
}

function checkRepository(repo: Resource): void {
  const git = repo.gitRemoteSettings;
  if (git) {
    required(git.url, "repository.git_remote_settings.url");
    required(git.defaultBranch, "repository.git_remote_settings.default_branch");
    checkSecretVersion(git.authenticationTokenSecretVersion, "repository.git_remote_settings.authentication_token_secret_version");
  }
  checkLabels(repo.labels, "repository.labels");
}

function withoutOutputOnly(body: Resource): Resource {
  return Object.fromEntries(Object.entries(body).filter(([k]) => !OUTPUT_ONLY.includes(k)));
}

const snakeCase = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const camelCase = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const byName = (a: Resource, b: Resource) => (a.name < b.name ? -1 : 1);

/** The body with only the fields the message has; an unknown one is refused as Google's JSON parser does. */
function known(body: Resource, fields: string[], message: string): Resource {
  for (const key of Object.keys(body ?? {})) {
    if (!fields.includes(key)) throw badRequest(`Invalid JSON payload received. Unknown name "${key}" at '${message}': Cannot find field.`);
  }
  return structuredClone(body ?? {});
}
