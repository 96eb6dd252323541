/**
 * An in-process fake of the Google Cloud Pub/Sub v1 Publisher API over gRPC (insecure, on
 * 127.0.0.1), loaded from the protos shipped with @google-cloud/pubsub. The client library talks to
 * it when PUBSUB_EMULATOR_HOST=127.0.0.1:PORT. It enforces the API's rules for what it serves
 * (resource names, non-empty publishes, attribute sizes) with Google's status codes, records every
 * request, and can fail the next calls of a method (say UNAVAILABLE, which clients retry).
 *
 * Served: CreateTopic, GetTopic, DeleteTopic, Publish. Anything else is UNIMPLEMENTED.
 */
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const ROOT = path.join(__dirname, "..", "..", "node_modules");
const PROTOS = path.join(ROOT, "@google-cloud", "pubsub", "build", "protos");
const GAX_PROTOS = path.join(ROOT, "google-gax", "build", "protos");

/** projects/{project}/topics/{topic}: a topic id starts with a letter, 3-255 of [A-Za-z0-9-_.~+%], never "goog…". */
const TOPIC_NAME = /^projects\/([a-z][a-z0-9-]{4,28}[a-z0-9])\/topics\/([A-Za-z][A-Za-z0-9\-_.~+%]{2,254})$/;

export interface RecordedCall {
  method: string;
  request: any;
}

interface Failure {
  code: grpc.status;
  message: string;
}

export class FakePubsub {
  readonly calls: RecordedCall[] = [];
  /** Messages published, per topic name, with the ids given. */
  readonly messages = new Map<string, { messageId: string; data: Buffer; attributes: Record<string, string>; orderingKey: string }[]>();
  private readonly topics = new Map<string, { name: string; labels: Record<string, string> }>();
  private readonly failures = new Map<string, Failure[]>();
  private server?: grpc.Server;
  private nextId = 1;
  port = 0;

  /** The next `times` calls of `method` fail with this gRPC status. */
  failNext(method: string, code: grpc.status, times = 1, message = code === grpc.status.UNAVAILABLE ? "The service is currently unavailable." : "injected failure"): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < times; i++) list.push({ code, message });
    this.failures.set(method, list);
  }

  /** No more injected failures of `method`. */
  clearFailures(method: string): void {
    this.failures.delete(method);
  }

  /** A topic that exists before the test (as `gcloud pubsub topics create` would leave it). */
  addTopic(name: string): void {
    this.topics.set(name, { name, labels: {} });
  }

  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const definition = protoLoader.loadSync(path.join(PROTOS, "google", "pubsub", "v1", "pubsub.proto"), {
      includeDirs: [PROTOS, GAX_PROTOS],
      keepCase: false,
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    });
    const pkg = grpc.loadPackageDefinition(definition) as any;
    const server = new grpc.Server();
    const handlers: Record<string, (request: any) => any> = {
      CreateTopic: (r) => this.createTopic(r),
      GetTopic: (r) => this.getTopic(r.topic),
      DeleteTopic: (r) => this.deleteTopic(r.topic),
      Publish: (r) => this.publish(r),
    };
    const service = pkg.google.pubsub.v1.Publisher.service as grpc.ServiceDefinition;
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(service)) {
      const rpc = (method as { originalName?: string }).originalName ?? name;
      implementation[rpc] = (call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>) => {
        const rpcName = name;
        this.calls.push({ method: rpcName, request: call.request });
        const failure = this.failures.get(rpcName)?.shift();
        if (failure) return callback({ code: failure.code, details: failure.message });
        const handler = handlers[rpcName];
        if (!handler) return callback({ code: grpc.status.UNIMPLEMENTED, details: `Method ${rpcName} is not implemented by the fake` });
        try {
          callback(null, handler(call.request));
        } catch (e) {
          callback(e as grpc.ServiceError);
        }
      };
    }
    server.addService(service, implementation);
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.server = server;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }

  private createTopic(r: { name: string; labels?: Record<string, string> }) {
    checkTopicName(r.name, "name");
    if (this.topics.has(r.name)) throw status(grpc.status.ALREADY_EXISTS, "Topic already exists");
    const topic = { name: r.name, labels: r.labels ?? {} };
    this.topics.set(r.name, topic);
    return topic;
  }

  private getTopic(name: string) {
    checkTopicName(name, "topic");
    const topic = this.topics.get(name);
    if (!topic) throw status(grpc.status.NOT_FOUND, "Topic not found");
    return topic;
  }

  private deleteTopic(name: string) {
    this.getTopic(name);
    this.topics.delete(name);
    return {};
  }

  private publish(r: { topic: string; messages: { data: Buffer; attributes: Record<string, string>; orderingKey: string }[] }) {
    checkTopicName(r.topic, "topic");
    if (!this.topics.has(r.topic)) throw status(grpc.status.NOT_FOUND, "Topic not found");
    if (!r.messages?.length) throw status(grpc.status.INVALID_ARGUMENT, "The value for message_count is too small. You passed 0 in the request, but the minimum value is 1.");
    for (const m of r.messages) {
      const attributes = m.attributes ?? {};
      if ((!m.data || m.data.length === 0) && Object.keys(attributes).length === 0) {
        throw status(grpc.status.INVALID_ARGUMENT, "One or more messages in the publish request is empty. Each message must contain either non-empty data, or at least one attribute.");
      }
      if (m.data && m.data.length > 10 * 1024 * 1024) throw status(grpc.status.INVALID_ARGUMENT, "Request payload size exceeds the limit: 10485760 bytes.");
      for (const [k, v] of Object.entries(attributes)) {
        if (Buffer.byteLength(k) > 256) throw status(grpc.status.INVALID_ARGUMENT, `An attribute key in the publish request is too long: ${Buffer.byteLength(k)} bytes (the maximum is 256).`);
        if (Buffer.byteLength(v) > 1024) throw status(grpc.status.INVALID_ARGUMENT, `An attribute value in the publish request is too long: ${Buffer.byteLength(v)} bytes (the maximum is 1024).`);
        if (k.startsWith("goog")) throw status(grpc.status.INVALID_ARGUMENT, `The attribute key "${k}" is reserved (keys may not start with "goog").`);
      }
    }
    const list = this.messages.get(r.topic) ?? [];
    const messageIds = r.messages.map((m) => {
      const messageId = String(this.nextId++);
      list.push({ messageId, data: Buffer.from(m.data ?? []), attributes: m.attributes ?? {}, orderingKey: m.orderingKey ?? "" });
      return messageId;
    });
    this.messages.set(r.topic, list);
    return { messageIds };
  }
}

function checkTopicName(name: string, field: string): void {
  const m = TOPIC_NAME.exec(name ?? "");
  if (!m || m[2].startsWith("goog")) throw status(grpc.status.INVALID_ARGUMENT, `Invalid [topics] name: (${field}=${name ?? ""})`);
}

function status(code: grpc.status, details: string): Partial<grpc.ServiceError> {
  return { code, details, message: details } as Partial<grpc.ServiceError>;
}
