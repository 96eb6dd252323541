/**
 * The fake Data Transfer service's state: transfer configs (scheduled queries) and their runs,
 * with the API's rules applied on create and patch (rules.ts). Runs move PENDING → RUNNING →
 * SUCCEEDED (or the scripted outcome) one step per read, as polling sees them.
 */
import { randomUUID } from "crypto";
import { applyMask } from "../dataform/rules";
import { badRequest, checkLocation, checkSchedule, checkServiceAccount, connectionDenied, notFound } from "./rules";

export type Json = Record<string, any>;

const CONFIG_FIELDS = new Set(["name", "displayName", "dataSourceId", "params", "schedule", "scheduleOptions", "scheduleOptionsV2", "dataRefreshWindowDays", "disabled", "destinationDatasetId", "notificationPubsubTopic", "emailPreferences", "encryptionConfiguration", "userId", "updateTime", "nextRunTime", "state", "datasetRegion", "ownerInfo", "error"]);
const OUTPUT_ONLY = ["updateTime", "nextRunTime", "state", "datasetRegion", "ownerInfo", "error"];
const UPDATABLE: Record<string, true> = { display_name: true, params: true, schedule: true, disabled: true, destination_dataset_id: true, data_refresh_window_days: true, notification_pubsub_topic: true, email_preferences: true, schedule_options: true, schedule_options_v2: true };
export const RUN_STATES = ["TRANSFER_STATE_UNSPECIFIED", "", "PENDING", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"];
export const SEVERITIES = ["MESSAGE_SEVERITY_UNSPECIFIED", "INFO", "WARNING", "ERROR"];

export interface RunScript {
  outcome: "SUCCEEDED" | "FAILED";
  /** The error of a failed run (google.rpc.Status message). */
  error?: string;
}

interface StoredConfig {
  project: string;
  location: string;
  id: string;
  config: Json;
}

interface StoredRun {
  configId: string;
  run: Json;
  steps: string[];
  messages: { messageTime: string; severity: string; messageText: string }[];
}

export class DataTransferStore {
  readonly configs = new Map<string, StoredConfig>();
  readonly runs = new Map<string, StoredRun>();
  /** Connections (project.location.id) the owners may not use. */
  readonly deniedConnections = new Set<string>();
  namesWithoutLocation = false;
  runScript: RunScript = { outcome: "SUCCEEDED" };
  private clock = Date.parse("2026-11-27T02:15:00Z");

  private now(): string {
    this.clock += 1000;
    return new Date(this.clock).toISOString();
  }

  nameOf(c: StoredConfig): string {
    return this.namesWithoutLocation ? `projects/${c.project}/transferConfigs/${c.id}` : `projects/${c.project}/locations/${c.location}/transferConfigs/${c.id}`;
  }

  private json(c: StoredConfig): Json {
    return { ...structuredClone(c.config), name: this.nameOf(c) };
  }

  /** A config by either form of its name; the location, when given, must be its own. */
  find(project: string, location: string | undefined, id: string): StoredConfig {
    const c = this.configs.get(id);
    if (!c || c.project !== project || (location !== undefined && location !== c.location)) throw notFound(`projects/${project}/${location ? `locations/${location}/` : ""}transferConfigs/${id}`);
    return c;
  }

  list(project: string, location: string | undefined, dataSourceIds: string[]): Json[] {
    return [...this.configs.values()].filter((c) => c.project === project && (location === undefined || c.location === location) && (!dataSourceIds.length || dataSourceIds.includes(c.config.dataSourceId))).map((c) => this.json(c));
  }

  get(project: string, location: string | undefined, id: string): Json {
    return this.json(this.find(project, location, id));
  }

  create(project: string, location: string | undefined, body: Json, serviceAccountName: string | undefined): Json {
    const where = location ?? "us";
    checkLocation(where);
    checkServiceAccount(serviceAccountName);
    const config = this.checked(project, fields(body), serviceAccountName);
    const stored: StoredConfig = { project, location: where, id: randomUUID(), config: { ...config, state: "SUCCEEDED", datasetRegion: where, updateTime: this.now(), ownerInfo: { email: serviceAccountName || "deployer@example.com" } } };
    this.configs.set(stored.id, stored);
    return this.json(stored);
  }

  update(project: string, location: string | undefined, id: string, body: Json, mask: string | undefined, serviceAccountName: string | undefined): Json {
    const c = this.find(project, location, id);
    if (!mask) throw badRequest("update_mask is required", "update_mask");
    const paths = mask.split(",").map((p) => p.trim()).filter(Boolean);
    checkServiceAccount(serviceAccountName);
    if (paths.includes("service_account_name") && !serviceAccountName) throw badRequest("service_account_name is in the update mask but not given", "service_account_name");
    const rest = paths.filter((p) => p !== "service_account_name");
    const next = rest.length ? applyMask(c.config, fields(body), rest.join(","), UPDATABLE) : structuredClone(c.config);
    const owner = paths.includes("service_account_name") ? serviceAccountName! : c.config.ownerInfo.email;
    c.config = { ...this.checked(project, next, owner), state: c.config.state, datasetRegion: c.location, updateTime: this.now(), ownerInfo: { email: owner } };
    return this.json(c);
  }

  delete(project: string, location: string | undefined, id: string): void {
    const c = this.find(project, location, id);
    this.configs.delete(c.id);
    for (const [runId, r] of [...this.runs.entries()]) if (r.configId === c.id) this.runs.delete(runId);
  }

  /** Required fields, a script without a destination, the schedule, the owner's connections. */
  private checked(project: string, config: Json, owner: string | undefined): Json {
    if (!config.displayName) throw badRequest("Display name is required.", "transfer_config.display_name");
    if (!config.dataSourceId) throw badRequest("Data source id is required.", "transfer_config.data_source_id");
    if (config.dataSourceId !== "scheduled_query") throw badRequest(`Data source '${config.dataSourceId}' is not known to this fake.`, "transfer_config.data_source_id");
    const query = config.params?.query;
    if (typeof query !== "string" || !query.trim()) throw badRequest("Parameter 'query' is required for the scheduled_query data source.", "transfer_config.params");
    const script = /;\s*\S/.test(query.replace(/--[^\n]*/g, "")) || /^\s*(create|merge|insert|delete|update|declare|if|assert)\b/im.test(query.replace(/--[^\n]*/g, ""));
    if (config.destinationDatasetId && script) throw badRequest("Destination dataset cannot be set for a script or a DDL/DML query.", "transfer_config.destination_dataset_id");
    if (!config.destinationDatasetId && config.params?.destination_table_name_template) throw badRequest("destination_table_name_template needs a destination dataset.", "transfer_config.params");
    checkSchedule(config.schedule);
    for (const m of query.matchAll(/EXTERNAL_QUERY\(\s*["']([\w-]+\.[\w-]+\.[\w-]+)["']/gi)) if (this.deniedConnections.has(m[1])) throw connectionDenied(m[1], project);
    void owner;
    return config;
  }

  // Runs
  startManualRuns(project: string, location: string | undefined, id: string, body: Json): Json[] {
    const c = this.find(project, location, id);
    const times = [body.requestedRunTime, body.requestedTimeRange].filter((v) => v !== undefined);
    if (times.length !== 1) throw badRequest("Exactly one of requested_run_time and requested_time_range must be set.", "requested_run_time");
    const runTime = body.requestedRunTime ?? body.requestedTimeRange.startTime;
    const runId = randomUUID();
    const name = `${this.nameOf(c)}/runs/${runId}`;
    const run = { name, scheduleTime: this.now(), runTime, state: "PENDING", params: c.config.params, dataSourceId: c.config.dataSourceId, updateTime: this.now() };
    const steps = this.runScript.outcome === "SUCCEEDED" ? ["RUNNING", "SUCCEEDED"] : ["RUNNING", "FAILED"];
    this.runs.set(runId, { configId: c.id, run, steps, messages: [{ messageTime: this.now(), severity: "INFO", messageText: "Dispatched run to data source with id " + id }] });
    return [structuredClone(run)];
  }

  /** One read of a run: it moves one state on. */
  pollRun(project: string, location: string | undefined, id: string, runId: string): Json {
    const r = this.run(project, location, id, runId);
    const next = r.steps.shift();
    if (next) {
      r.run.state = next;
      r.run.updateTime = this.now();
      if (next === "RUNNING") r.run.startTime = r.run.updateTime;
      if (next === "SUCCEEDED") r.messages.push({ messageTime: this.now(), severity: "INFO", messageText: "Query completed." }), (r.run.endTime = r.run.updateTime);
      if (next === "FAILED") {
        const message = this.runScript.error ?? "Query error";
        r.run.errorStatus = { code: 3, message };
        r.run.endTime = r.run.updateTime;
        r.messages.push({ messageTime: this.now(), severity: "ERROR", messageText: message });
      }
    }
    return structuredClone(r.run);
  }

  run(project: string, location: string | undefined, id: string, runId: string): StoredRun {
    const c = this.find(project, location, id);
    const r = this.runs.get(runId);
    if (!r || r.configId !== c.id) throw notFound(`${this.nameOf(c)}/runs/${runId}`);
    return r;
  }

  runsOf(project: string, location: string | undefined, id: string, states: string[]): Json[] {
    const c = this.find(project, location, id);
    return [...this.runs.values()]
      .filter((r) => r.configId === c.id)
      .map((r) => structuredClone(r.run))
      .filter((r) => !states.length || states.includes(r.state))
      .reverse();
  }
}

/** The body's fields: an unknown one is refused naming it, output-only ones are ignored. */
function fields(body: Json): Json {
  for (const k of Object.keys(body)) if (!CONFIG_FIELDS.has(k)) throw badRequest(`Invalid JSON payload received. Unknown name "${k}" at 'transfer_config': Cannot find field.`, `transfer_config.${k}`);
  const out = structuredClone(body);
  for (const k of OUTPUT_ONLY) delete out[k];
  delete out.name;
  return out;
}
