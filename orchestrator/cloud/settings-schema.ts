/**
 * The schema of vwatch.yaml's `production` section: what `vwatch deploy` creates on the Google
 * Cloud Dataform service (a repository, its release config, its workflow configs). Defaults are the
 * project's schedule: compile at 01:45 UTC, run everything at 02:15 UTC (off the hour: on-the-hour
 * schedules are the busiest and may fire late or twice). No secret has a place here: the Git token
 * is named by its Secret Manager secret version.
 */
import { z } from "zod";
import { cronProblem, isTimeZone } from "./cron";
import { transferScheduleProblem } from "./transfer-schedule";

export const DEFAULT_COMPILE_CRON = "45 1 * * *";
export const DEFAULT_RUN_CRON = "15 2 * * *";
export const DEFAULT_TIME_ZONE = "Etc/UTC";

/**
 * Release and workflow config ids: lowercase, as repository label keys must be, because vwatch
 * records the configs it manages in the repository's labels (`vwatch-rc-ID`, `vwatch-wc-ID`,
 * at most 63 characters).
 */
export const CONFIG_ID = /^[a-z][a-z0-9_-]{0,52}$/;
const CONFIG_ID_RULE = "lowercase letters, digits, _ and -, starting with a letter, at most 53 characters";

const cron = z.string().refine((v) => cronProblem(v) === undefined, { error: (i) => cronProblem(String(i.input)) ?? "not a cron schedule" });
const timeZone = z.string().refine(isTimeZone, { error: (i) => `"${String(i.input)}" is not a time zone name of the tz database (e.g. Etc/UTC, America/Caracas)` });
const serviceAccount = z.string().regex(/^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+\.gserviceaccount\.com$/, "must be a service account e-mail (NAME@PROJECT.iam.gserviceaccount.com)");
const configId = z.string().regex(CONFIG_ID, `must be ${CONFIG_ID_RULE}`);
// The value is never echoed: a token pasted here by mistake must not reach a terminal or a CI log.
const secretVersion = z
  .string()
  .regex(/^projects\/[^/\s]+\/secrets\/[^/\s]+\/versions\/[^/\s]+$/, "must be a Secret Manager secret version name, projects/P/secrets/S/versions/V (the token itself never goes in this file)");

const overrides = z
  .object({
    defaultProject: z.string().min(1).optional(),
    defaultDataset: z.string().min(1).optional(),
    defaultLocation: z.string().min(1).optional(),
    defaultAssertionDataset: z.string().min(1).optional(),
    projectSuffix: z.string().optional(),
    datasetSuffix: z.string().optional(),
    namePrefix: z.string().optional(),
    vars: z.record(z.string(), z.string({ error: "must be a string (quote it in vwatch.yaml)" })).optional(),
  })
  .strict();

const workflow = z
  .object({
    id: configId,
    cron: cron.default(DEFAULT_RUN_CRON),
    timeZone: timeZone.default(DEFAULT_TIME_ZONE),
    tags: z.array(z.string().min(1)).default([]),
    actions: z.array(z.string().min(1)).default([]),
    includeDependencies: z.boolean().default(false),
    includeDependents: z.boolean().default(false),
    fullRefresh: z.boolean().default(false),
    serviceAccount: serviceAccount.optional(),
    disabled: z.boolean().default(false),
  })
  .strict();

export const DEFAULT_TRANSFER_SCHEDULE = "every day 02:15";
/** Zones the Data Transfer service's schedules are written in: it has no time zone field, its times are UTC. */
export const UTC_ZONES = ["Etc/UTC", "UTC", "Etc/GMT", "GMT"];

/**
 * A BigQuery scheduled query (a Data Transfer config of the `scheduled_query` data source) running
 * the selected actions as one script (`vwatch render script`). Matched by its display name.
 */
const scheduledQuery = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 _.:()-]{0,99}$/, "must be a display name: letters, digits, spaces and _ . : ( ) -, at most 100 characters"),
    tags: z.array(z.string().min(1)).default([]),
    actions: z.array(z.string().min(1)).default([]),
    includeDependencies: z.boolean().default(true),
    schedule: z
      .string()
      .default(DEFAULT_TRANSFER_SCHEDULE)
      .refine((v) => transferScheduleProblem(v) === undefined, { error: (i) => transferScheduleProblem(String(i.input)) ?? "not a schedule" }),
    timeZone: z
      .string()
      .default("Etc/UTC")
      .refine((v) => UTC_ZONES.includes(v), { error: (i) => `"${String(i.input)}": the Data Transfer service runs schedules in UTC (it has no time zone setting); write the schedule's time in UTC and timeZone: Etc/UTC` }),
    serviceAccount: serviceAccount.optional(),
    location: z.string().regex(/^([a-z]+|[a-z]+(-[a-z]+)+\d+)$/, "must be a BigQuery location in lowercase, e.g. us, eu or us-central1 (where the datasets are)").default("us"),
    disabled: z.boolean().default(false),
  })
  .strict()
  .refine((q) => q.tags.length + q.actions.length > 0, { error: "needs tags or actions: a scheduled query runs a selection, not the whole project" });

/** A Pub/Sub topic or subscription id: starts with a letter, 3-255 of letters, digits and - _ . ~ + %, never "goog…". */
export const PUBSUB_ID = /^(?!goog)[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
const pubsubId = z.string().regex(PUBSUB_ID, 'must be a Pub/Sub id: 3-255 letters, digits and - _ . ~ + %, starting with a letter, not with "goog"');

/**
 * Phase chaining (docs/phase-chaining.md): where the phases' completion events are published, the
 * dead-letter topic, and the push subscription(s) delivering them to the service's
 * /events/pubsub with an OIDC token. `topic`: one topic for every phase (events carry a `phase`
 * attribute); `topics`: one per phase. The Dataform service's completions (a Cloud Logging sink)
 * go to the transform topic.
 */
const pubsub = z
  .object({
    topic: pubsubId.optional(),
    topics: z.object({ transform: pubsubId, sync: pubsubId, check: pubsubId }).strict().optional(),
    deadLetterTopic: pubsubId,
    pushSubscription: z
      .object({
        id: pubsubId,
        endpoint: z.string().regex(/^https:\/\/[^\s@/]+(\/[^\s@]*)?\/events\/pubsub$/, "must be the service's https URL ending in /events/pubsub"),
        serviceAccount,
        maxDeliveryAttempts: z.number().int().min(5, "Pub/Sub allows 5 to 100").max(100, "Pub/Sub allows 5 to 100").default(5),
        ackDeadlineSeconds: z.number().int().min(10, "Pub/Sub allows 10 to 600 seconds").max(600, "Pub/Sub allows 10 to 600 seconds").default(600),
      })
      .strict(),
  })
  .strict()
  .refine((p) => (p.topic === undefined) !== (p.topics === undefined), { error: "needs either topic (one topic, a phase attribute) or topics (one per phase), not both" });

const production = z
  .object({
    project: z.string().regex(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/, "must be a Google Cloud project id (6-30 lowercase letters, digits and -)"),
    region: z.string().regex(/^[a-z]+(-[a-z]+)+\d+$/, "must be a Google Cloud region where Dataform runs, e.g. us-central1"),
    repository: z
      .object({
        id: z.string().regex(/^[A-Za-z_][A-Za-z0-9_-]{0,62}$/, "must be letters, digits, _ and -, at most 63 characters"),
        git: z
          .object({
            url: z.string().regex(/^https:\/\/[^\s@]+$/, "must be an https:// URL without credentials (the token comes from tokenSecretVersion)"),
            defaultBranch: z.string().min(1).default("main"),
            tokenSecretVersion: secretVersion,
          })
          .strict(),
      })
      .strict(),
    release: z
      .object({
        id: configId.default("production"),
        gitCommitish: z.string().min(1).default("main"),
        cron: cron.default(DEFAULT_COMPILE_CRON),
        timeZone: timeZone.default(DEFAULT_TIME_ZONE),
        disabled: z.boolean().default(false),
        overrides: overrides.default({}),
      })
      .strict()
      .default({ id: "production", gitCommitish: "main", cron: DEFAULT_COMPILE_CRON, timeZone: DEFAULT_TIME_ZONE, disabled: false, overrides: {} }),
    workflows: z
      .array(workflow)
      .min(1, "needs at least one workflow config")
      .default([{ id: "daily", cron: DEFAULT_RUN_CRON, timeZone: DEFAULT_TIME_ZONE, tags: [], actions: [], includeDependencies: false, includeDependents: false, fullRefresh: false, disabled: false }])
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((w, i) => {
          if (seen.has(w.id)) ctx.addIssue({ code: "custom", path: [i, "id"], message: `"${w.id}" is named twice` });
          seen.add(w.id);
        });
      }),
    // Absent: vwatch deploy does not call the Data Transfer API at all. `[]` with --prune removes vwatch's.
    scheduledQueries: z
      .array(scheduledQuery)
      .optional()
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        (list ?? []).forEach((q, i) => {
          if (seen.has(q.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `"${q.name}" is named twice (scheduled queries are matched by display name)` });
          seen.add(q.name);
        });
      }),
    // Absent: no Pub/Sub; phases chain through the in-process bus.
    pubsub: pubsub.optional(),
  })
  .strict();

export const settingsSchema = z.object({ production }).strict();

export type ProductionSettings = z.infer<typeof production>;
export type WorkflowSettings = ProductionSettings["workflows"][number];
export type ReleaseSettings = ProductionSettings["release"];
export type PubsubSettings = NonNullable<ProductionSettings["pubsub"]>;
export type ScheduledQuerySettings = NonNullable<ProductionSettings["scheduledQueries"]>[number];
