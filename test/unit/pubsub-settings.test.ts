import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import { parseDeploySettings } from "../../orchestrator/cloud/settings";
import { topicFor } from "../../orchestrator/events/pubsub-publisher";

/** vwatch.yaml's optional production.pubsub section (phase chaining through Pub/Sub). */
const base = fs.readFileSync(path.join(__dirname, "..", "..", "vwatch.yaml"), "utf8");
const withPubsub = (yaml: string) => parseDeploySettings(`${base.replace(/\n  # Phase chaining[\s\S]*$/, "\n")}\n  pubsub:\n${yaml.replace(/^/gm, "    ")}\n`);

const SUBSCRIPTION = `pushSubscription:
  id: vwatch-phases-push
  endpoint: https://vwatch-serve.example.run.app/events/pubsub
  serviceAccount: pubsub-push@venezuelawatch.iam.gserviceaccount.com`;

describe("production.pubsub", () => {
  it("is optional: the checked-in file without it has no Pub/Sub", () => {
    expect(parseDeploySettings(base.replace(/\n  # Phase chaining[\s\S]*$/, "\n")).production.pubsub).toBeUndefined();
  });

  it("one topic for every phase, with the push subscription's defaults: 5 delivery attempts, a 600 s ack deadline", () => {
    const { pubsub } = withPubsub(`topic: vwatch-phases\ndeadLetterTopic: vwatch-phases-dead\n${SUBSCRIPTION}`).production;
    expect(pubsub).toEqual({
      topic: "vwatch-phases",
      deadLetterTopic: "vwatch-phases-dead",
      pushSubscription: {
        id: "vwatch-phases-push",
        endpoint: "https://vwatch-serve.example.run.app/events/pubsub",
        serviceAccount: "pubsub-push@venezuelawatch.iam.gserviceaccount.com",
        maxDeliveryAttempts: 5,
        ackDeadlineSeconds: 600,
      },
    });
    expect(["transform", "sync", "check"].map((p) => topicFor(pubsub!, p as "sync"))).toEqual(["vwatch-phases", "vwatch-phases", "vwatch-phases"]);
  });

  it("a topic per phase", () => {
    const { pubsub } = withPubsub(`topics:\n  transform: t-done\n  sync: s-done\n  check: c-done\ndeadLetterTopic: dead\n${SUBSCRIPTION}`).production;
    expect(["transform", "sync", "check"].map((p) => topicFor(pubsub!, p as "sync"))).toEqual(["t-done", "s-done", "c-done"]);
  });

  it("names the line and the key of each problem", () => {
    const bad = `topic: goog-phases\ntopics:\n  transform: a1b\n  sync: s1b\n  check: c1b\ndeadLetterTopic: x\npushSubscription:\n  id: p-push\n  endpoint: http://vwatch.example.run.app/events\n  serviceAccount: me@example.com\n  maxDeliveryAttempts: 3`;
    const message = (() => {
      try {
        withPubsub(bad);
      } catch (e) {
        return (e as Error).message.replace(/vwatch\.yaml:\d+/g, "vwatch.yaml:N");
      }
    })();
    expect(message).toBe(
      [
        'production.pubsub.topic: must be a Pub/Sub id: 3-255 letters, digits and - _ . ~ + %, starting with a letter, not with "goog"',
        'production.pubsub.deadLetterTopic: must be a Pub/Sub id: 3-255 letters, digits and - _ . ~ + %, starting with a letter, not with "goog"',
        "production.pubsub.pushSubscription.endpoint: must be the service's https URL ending in /events/pubsub",
        "production.pubsub.pushSubscription.serviceAccount: must be a service account e-mail (NAME@PROJECT.iam.gserviceaccount.com)",
        "production.pubsub.pushSubscription.maxDeliveryAttempts: Pub/Sub allows 5 to 100",
        "production.pubsub: needs either topic (one topic, a phase attribute) or topics (one per phase), not both",
      ]
        .map((m) => `vwatch.yaml:N: ${m}`)
        .join("\n"),
    );
    expect(() => withPubsub(`topic: a-topic\ntopics:\n  transform: t-done\n  sync: s-done\n  check: c-done\ndeadLetterTopic: dead\n${SUBSCRIPTION}`)).toThrowError(
      /^vwatch\.yaml:\d+: production\.pubsub: needs either topic \(one topic, a phase attribute\) or topics \(one per phase\), not both$/,
    );
  });
});
