/**
 * A small client for ZetaSQL's local_service over the package's own protos: language options,
 * catalogs, Analyze and Parse. It owns its server: started on first use, restarted (with every
 * registered catalog registered again) when it crashes, stopped by close().
 */
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import * as path from "path";
import { BIGQUERY_FEATURES } from "./exceptions";
import { ValidationUnavailableError, startServer, zetasqlDir, type ZetaSqlServer } from "./zetasql-server";

export interface LanguageOptions {
  productMode?: string;
  enabledLanguageFeatures?: string[];
  supportedStatementKinds?: string[];
  reservedKeywords?: string[];
  [key: string]: unknown;
}

/** A gRPC failure from the server: ZetaSQL reports analysis errors as INVALID_ARGUMENT. */
interface ServiceError extends Error {
  code: number;
  details: string;
}

export const isAnalysisError = (e: unknown): e is ServiceError => (e as ServiceError)?.code === grpc.status.INVALID_ARGUMENT;

type Unary = (request: unknown, callback: (error: ServiceError | null, response: unknown) => void) => void;

let definition: grpc.GrpcObject | undefined;

function service(): grpc.ServiceClientConstructor {
  definition ??= grpc.loadPackageDefinition(
    protoLoader.loadSync("local_service.proto", {
      includeDirs: [path.join(zetasqlDir(), "protos")],
      defaults: false,
      oneofs: true,
      enums: String,
      longs: String,
    }),
  );
  const pkg = (definition.zetasql as grpc.GrpcObject).local_service as grpc.GrpcObject;
  return pkg.ZetaSqlLocalService as grpc.ServiceClientConstructor;
}

/** Our handle for a registered catalog; its server id changes when the server restarts. */
export interface CatalogHandle {
  readonly catalog: unknown;
  serverId?: string;
}

export class ZetaSqlClient {
  private server?: ZetaSqlServer;
  private stub?: grpc.Client & Record<string, Unary>;
  private starting?: Promise<void>;
  private readonly catalogs = new Set<CatalogHandle>();
  private options?: LanguageOptions;
  private builtins?: Set<string>;
  /** How many times the server was (re)started; for tests and progress messages. */
  starts = 0;

  /** The running server's pid (starting it if needed). */
  async serverPid(): Promise<number> {
    await this.ensureServer();
    return this.server!.pid;
  }

  /** BigQuery-like language options: the maximum feature set plus BigQuery's features ZetaSQL marks in development, PRODUCT_EXTERNAL, every statement kind. */
  async languageOptions(): Promise<LanguageOptions> {
    if (!this.options) {
      const max = (await this.call("getLanguageOptions", () => ({ maximumFeatures: true }))) as LanguageOptions;
      const features = new Set([...(max.enabledLanguageFeatures ?? []), ...BIGQUERY_FEATURES]);
      // An empty supportedStatementKinds means every kind; the maximum set allows only queries.
      this.options = { ...max, productMode: "PRODUCT_EXTERNAL", enabledLanguageFeatures: [...features], supportedStatementKinds: [] };
    }
    return this.options;
  }

  /** Names (lower case) of the builtin functions these language options enable. */
  async builtinFunctionNames(): Promise<Set<string>> {
    if (!this.builtins) {
      const languageOptions = await this.languageOptions();
      const response = (await this.call("getBuiltinFunctions", () => ({ languageOptions }))) as { function?: { namePath: string[] }[] };
      this.builtins = new Set((response.function ?? []).map((f) => f.namePath.join(".").toLowerCase()));
    }
    return this.builtins;
  }

  async registerCatalog(catalog: unknown): Promise<CatalogHandle> {
    const handle: CatalogHandle = { catalog };
    await this.ensureServer();
    handle.serverId = await this.register(catalog);
    this.catalogs.add(handle);
    return handle;
  }

  async unregisterCatalog(handle: CatalogHandle): Promise<void> {
    this.catalogs.delete(handle);
    const id = handle.serverId;
    handle.serverId = undefined;
    if (id !== undefined && this.server?.isRunning()) await this.call("unregisterCatalog", () => ({ registeredId: id }), false).catch(() => undefined);
  }

  /** Analyzes one statement; analysis errors are rejected as ServiceError with `[at line:col]`. */
  async analyzeStatement(handle: CatalogHandle, sql: string, analyzerOptions: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const options = await this.analyzerOptions(analyzerOptions);
    const response = (await this.call("analyze", () => ({ options, registeredCatalogId: handle.serverId, sqlStatement: sql }))) as { resolvedStatement: Record<string, unknown> };
    return response.resolvedStatement;
  }

  async analyzeExpression(handle: CatalogHandle, sql: string, analyzerOptions: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const options = await this.analyzerOptions(analyzerOptions);
    const response = (await this.call("analyze", () => ({ options, registeredCatalogId: handle.serverId, sqlExpression: sql }))) as { resolvedExpression: Record<string, unknown> };
    return response.resolvedExpression;
  }

  /** Parses a script (DECLARE, BEGIN … END, several statements); syntax errors carry `[at line:col]`. */
  async parseScript(sql: string): Promise<Record<string, unknown>> {
    const options = await this.languageOptions();
    const response = (await this.call("parse", () => ({ sqlStatement: sql, allowScript: true, options }))) as { parsedScript: Record<string, unknown> };
    return response.parsedScript;
  }

  /** Any other local_service method, by its camelCase name; restarts a crashed server once. */
  async call(method: string, request: () => unknown, retry = true): Promise<unknown> {
    await this.ensureServer();
    try {
      return await this.invoke(method, request());
    } catch (e) {
      if (isAnalysisError(e) || !retry || !(await this.crashed())) throw e;
      await this.restart();
      return await this.invoke(method, request());
    }
  }

  async close(): Promise<void> {
    this.catalogs.clear();
    this.stub?.close();
    this.stub = undefined;
    await this.server?.stop();
    this.server = undefined;
  }

  private async analyzerOptions(extra: Record<string, unknown>) {
    return { languageOptions: await this.languageOptions(), defaultTimezone: "UTC", errorMessageMode: "ERROR_MESSAGE_ONE_LINE", ...extra };
  }

  private invoke(method: string, request: unknown): Promise<unknown> {
    const stub = this.stub!;
    return new Promise((resolve, reject) => stub[method](request, (error, response) => (error ? reject(error) : resolve(response))));
  }

  private async register(catalog: unknown): Promise<string> {
    const response = (await this.invoke("registerCatalog", { simpleCatalog: catalog })) as { registeredId: string };
    return response.registeredId;
  }

  /** Whether the last failure was the server dying (it exits within moments of a crash). */
  private async crashed(): Promise<boolean> {
    const server = this.server;
    if (!server) return true;
    // A ref'd timer: an unref'd wait could let the process exit with the analysis unfinished.
    await Promise.race([server.exited, new Promise((r) => setTimeout(r, 500))]);
    return !server.isRunning();
  }

  private ensureServer(): Promise<void> {
    if (this.server?.isRunning() && this.stub) return Promise.resolve();
    this.starting ??= this.start().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async restart(): Promise<void> {
    this.stub?.close();
    this.stub = undefined;
    await this.server?.stop();
    await this.ensureServer();
  }

  private async start(): Promise<void> {
    const Service = service();
    const server = await startServer();
    const stub = new Service(server.address, grpc.credentials.createInsecure(), {
      "grpc.max_send_message_length": 256 * 1024 * 1024,
      "grpc.max_receive_message_length": 256 * 1024 * 1024,
    }) as grpc.Client & Record<string, Unary>;
    try {
      await new Promise<void>((resolve, reject) => stub.waitForReady(Date.now() + 10_000, (e) => (e ? reject(e) : resolve())));
    } catch (e) {
      stub.close();
      await server.stop();
      throw new ValidationUnavailableError(`the ZetaSQL server did not accept connections: ${(e as Error).message}${server.stderr() ? `\n${server.stderr().trim()}` : ""}`);
    }
    this.stub?.close();
    this.server = server;
    this.stub = stub;
    this.starts += 1;
    // After a crash: the new server knows none of our catalogs yet.
    for (const handle of this.catalogs) handle.serverId = await this.register(handle.catalog);
  }
}

/** One client per process (per test worker), closed when the process exits. */
let shared: ZetaSqlClient | undefined;

export function sharedClient(): ZetaSqlClient {
  return (shared ??= new ZetaSqlClient());
}
