/**
 * The Dataform v1 calls vwatch makes, each with a timeout, retried with backoff when it failed in
 * a way that may pass, and failing as a one-line CloudError. Creating a config (named by its id)
 * is retried like a read: a retry that finds the first attempt did create it returns that one.
 * Creating a compilation result or a workflow invocation (named by the service) is retried only
 * when the quota refused it (RESOURCE_EXHAUSTED), so one call never starts two runs.
 */
import type { protos } from "@google-cloud/dataform";
import type { DataformClient } from "./client";
import { googleStatus, toCloudError } from "./google-errors";
import { locationName, repositoryName, type RepositoryRef } from "./names";
import { DEFAULT_RETRY, guardedCall, type RetryOn, type RetryPolicy } from "./retry";

type df = typeof protos.google.cloud.dataform.v1;
export type Repository = protos.google.cloud.dataform.v1.IRepository;
export type ReleaseConfig = protos.google.cloud.dataform.v1.IReleaseConfig;
export type WorkflowConfig = protos.google.cloud.dataform.v1.IWorkflowConfig;
export type CompilationResult = protos.google.cloud.dataform.v1.ICompilationResult;
export type CompilationResultAction = protos.google.cloud.dataform.v1.ICompilationResultAction;
export type WorkflowInvocation = protos.google.cloud.dataform.v1.IWorkflowInvocation;
export type WorkflowInvocationAction = protos.google.cloud.dataform.v1.IWorkflowInvocationAction;
export type { df };

export interface DataformApiOptions {
  /** The project named in advice (enable the API in it, grant roles on it). */
  project: string;
  /** Each call's own deadline. Default 60 s. */
  timeoutMs?: number;
  retry?: RetryPolicy;
}


export class DataformApi {
  private readonly timeoutMs: number;
  private readonly retry: RetryPolicy;

  constructor(
    private readonly client: DataformClient,
    private readonly options: DataformApiOptions,
  ) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** One call: timeout, retries, errors mapped. */
  private call<T>(method: string, resource: string, fn: (opts: { timeout: number }, attempt: number) => Promise<T>, retry: RetryOn = "always"): Promise<T> {
    return guardedCall({ timeoutMs: this.timeoutMs, policy: this.retry, retryOn: retry }, fn, (e, attempts, seconds) =>
      toCloudError(e, { method, resource, project: this.options.project, attempts, seconds }),
    );
  }

  /** A get that answers undefined for NOT_FOUND. */
  private async find<T>(method: string, name: string, fn: (opts: { timeout: number }) => Promise<[T, ...unknown[]]>): Promise<T | undefined> {
    try {
      return await this.call(method, name, async (opts) => (await fn(opts))[0]);
    } catch (e) {
      if ((e as { reason?: string }).reason === "NOT_FOUND") return undefined;
      throw e;
    }
  }

  /** A create by id: when a retried attempt finds the resource exists, the first attempt made it. */
  private createById<T>(method: string, name: string, create: (opts: { timeout: number }) => Promise<[T, ...unknown[]]>, get: (opts: { timeout: number }) => Promise<[T, ...unknown[]]>): Promise<T> {
    return this.call(method, name, async (opts, attempt) => {
      try {
        return (await create(opts))[0];
      } catch (e) {
        if (attempt > 1 && googleStatus(e)?.status === "ALREADY_EXISTS") return (await get(opts))[0];
        throw e;
      }
    });
  }

  /** Every page of a list or query call. */
  private async all<T>(method: string, resource: string, page: (token: string | undefined, opts: { timeout: number }) => Promise<[T[], unknown, { nextPageToken?: string | null } | undefined]>): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const [items, , raw] = await this.call(method, resource, (opts) => page(token, opts));
      out.push(...items);
      token = raw?.nextPageToken || undefined;
    } while (token);
    return out;
  }

  // Repositories
  getRepository(name: string) {
    return this.find("GetRepository", name, (o) => this.client.getRepository({ name }, o));
  }
  createRepository(ref: RepositoryRef, repository: Repository) {
    const parent = locationName(ref);
    const name = repositoryName(ref);
    return this.createById(
      "CreateRepository",
      name,
      (o) => this.client.createRepository({ parent, repositoryId: ref.repository, repository }, o),
      (o) => this.client.getRepository({ name }, o),
    );
  }
  updateRepository(repository: Repository, paths: string[]) {
    return this.call("UpdateRepository", String(repository.name), async (o) => (await this.client.updateRepository({ repository, updateMask: { paths } }, o))[0]);
  }

  // Release configs
  listReleaseConfigs(parent: string) {
    return this.all("ListReleaseConfigs", parent, (pageToken, o) => this.client.listReleaseConfigs({ parent, pageToken }, { ...o, autoPaginate: false }) as never);
  }
  getReleaseConfig(name: string) {
    return this.find("GetReleaseConfig", name, (o) => this.client.getReleaseConfig({ name }, o));
  }
  createReleaseConfig(parent: string, releaseConfigId: string, releaseConfig: ReleaseConfig) {
    const name = `${parent}/releaseConfigs/${releaseConfigId}`;
    return this.createById(
      "CreateReleaseConfig",
      name,
      (o) => this.client.createReleaseConfig({ parent, releaseConfigId, releaseConfig }, o),
      (o) => this.client.getReleaseConfig({ name }, o),
    );
  }
  updateReleaseConfig(releaseConfig: ReleaseConfig, paths: string[]) {
    return this.call("UpdateReleaseConfig", String(releaseConfig.name), async (o) => (await this.client.updateReleaseConfig({ releaseConfig, updateMask: { paths } }, o))[0]);
  }
  deleteReleaseConfig(name: string) {
    return this.call("DeleteReleaseConfig", name, async (o) => void (await this.client.deleteReleaseConfig({ name }, o)));
  }

  // Workflow configs
  listWorkflowConfigs(parent: string) {
    return this.all("ListWorkflowConfigs", parent, (pageToken, o) => this.client.listWorkflowConfigs({ parent, pageToken }, { ...o, autoPaginate: false }) as never);
  }
  getWorkflowConfig(name: string) {
    return this.find("GetWorkflowConfig", name, (o) => this.client.getWorkflowConfig({ name }, o));
  }
  createWorkflowConfig(parent: string, workflowConfigId: string, workflowConfig: WorkflowConfig) {
    const name = `${parent}/workflowConfigs/${workflowConfigId}`;
    return this.createById(
      "CreateWorkflowConfig",
      name,
      (o) => this.client.createWorkflowConfig({ parent, workflowConfigId, workflowConfig }, o),
      (o) => this.client.getWorkflowConfig({ name }, o),
    );
  }
  updateWorkflowConfig(workflowConfig: WorkflowConfig, paths: string[]) {
    return this.call("UpdateWorkflowConfig", String(workflowConfig.name), async (o) => (await this.client.updateWorkflowConfig({ workflowConfig, updateMask: { paths } }, o))[0]);
  }
  deleteWorkflowConfig(name: string) {
    return this.call("DeleteWorkflowConfig", name, async (o) => void (await this.client.deleteWorkflowConfig({ name }, o)));
  }

  // Compilation results
  createCompilationResult(parent: string, compilationResult: CompilationResult) {
    return this.call("CreateCompilationResult", parent, async (o) => (await this.client.createCompilationResult({ parent, compilationResult }, o))[0], "quota");
  }
  getCompilationResult(name: string) {
    return this.call("GetCompilationResult", name, async (o) => (await this.client.getCompilationResult({ name }, o))[0]);
  }
  queryCompilationResultActions(name: string): Promise<CompilationResultAction[]> {
    return this.all("QueryCompilationResultActions", name, (pageToken, o) => this.client.queryCompilationResultActions({ name, pageToken }, { ...o, autoPaginate: false }) as never);
  }

  // Workflow invocations
  createWorkflowInvocation(parent: string, workflowInvocation: WorkflowInvocation) {
    return this.call("CreateWorkflowInvocation", parent, async (o) => (await this.client.createWorkflowInvocation({ parent, workflowInvocation }, o))[0], "quota");
  }
  getWorkflowInvocation(name: string) {
    return this.call("GetWorkflowInvocation", name, async (o) => (await this.client.getWorkflowInvocation({ name }, o))[0]);
  }
  /** One page of invocations, newest first when the service orders them so (`orderBy`). */
  listWorkflowInvocations(parent: string, page: { pageSize?: number; pageToken?: string; orderBy?: string; filter?: string } = {}) {
    return this.call("ListWorkflowInvocations", parent, async (o) => {
      const [items, , raw] = await this.client.listWorkflowInvocations({ parent, ...page }, { ...o, autoPaginate: false });
      return { invocations: items, nextPageToken: raw?.nextPageToken || undefined };
    });
  }
  cancelWorkflowInvocation(name: string) {
    return this.call("CancelWorkflowInvocation", name, async (o) => void (await this.client.cancelWorkflowInvocation({ name }, o)));
  }
  queryWorkflowInvocationActions(name: string): Promise<WorkflowInvocationAction[]> {
    return this.all("QueryWorkflowInvocationActions", name, (pageToken, o) => this.client.queryWorkflowInvocationActions({ name, pageToken }, { ...o, autoPaginate: false }) as never);
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
