import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findCredentials } from "../../orchestrator/warehouse/bigquery/credentials";
import { repoRoot, tempHome } from "../helpers/project";

// --warehouse bigquery without credentials fails fast with advice on Application Default
// Credentials (exit 2), instead of waiting on the metadata server, printing Node's
// MetadataLookupWarning and failing later on the network. On Google Cloud the metadata server
// still provides them.

/** Runs bin/vwatch.js in a child process (its own HOME and environment); code, stdout and stderr. */
function vwatchProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "bin/vwatch.js"), ...args], { env, cwd: repoRoot });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

/** The environment of a machine with no Google Cloud credentials at all (and no emulator). */
function noCredentials(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: tempHome(), GOOGLE_CLOUD_PROJECT: "venezuelawatch" };
  for (const name of ["GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "BIGQUERY_EMULATOR_HOST", "GCE_METADATA_HOST", "GCE_METADATA_IP", "METADATA_SERVER_DETECTION"]) delete env[name];
  return env;
}

describe("BigQuery without credentials", () => {
  it("vwatch run --warehouse bigquery exits 2 with advice on Application Default Credentials, without Node's MetadataLookupWarning", async () => {
    const r = await vwatchProcess(["--home", tempHome(), "run", "--warehouse", "bigquery", "--tags", "mentions"], noCredentials());
    expect(r.err).toBe(
      "error: no Google Cloud credentials found for BigQuery (Application Default Credentials): run `gcloud auth application-default login`, " +
        "or set GOOGLE_APPLICATION_CREDENTIALS to a service account key file, or run on Google Cloud (Cloud Run, GCE), whose metadata server provides them\n",
    );
    expect(r.code).toBe(2);
  }, 120_000);

  it("GOOGLE_APPLICATION_CREDENTIALS naming a missing file is named (exit 2)", async () => {
    const missing = path.join(tempHome(), "key.json");
    const r = await vwatchProcess(["--home", tempHome(), "query", "trending", "--warehouse", "bigquery"], { ...noCredentials(), GOOGLE_APPLICATION_CREDENTIALS: missing });
    expect(r.err).toMatch(new RegExp(`^error: GOOGLE_APPLICATION_CREDENTIALS names ${missing}, which does not exist; run \`gcloud auth application-default login\``));
    expect(r.code).toBe(2);
  }, 120_000);
});

describe("where credentials come from", () => {
  let metadata: http.Server;
  let host: string;
  beforeAll(async () => {
    // Google Cloud's metadata server, as Cloud Run and GCE serve it.
    metadata = http.createServer((req, res) => {
      const ok = req.headers["metadata-flavor"] === "Google" && req.url === "/computeMetadata/v1/instance";
      res.writeHead(ok ? 200 : 403, { "Metadata-Flavor": "Google" }).end(ok ? "{}" : "");
    });
    await new Promise<void>((resolve) => metadata.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => metadata.close(() => resolve())));

  it("the metadata server on Google Cloud (Cloud Run, GCE)", async () => {
    expect(await findCredentials({ ...noCredentials(), GCE_METADATA_HOST: host })).toBe("the metadata server");
  });

  it("gcloud's application-default file, before any network probe", async () => {
    const env = noCredentials();
    fs.mkdirSync(path.join(env.HOME!, ".config", "gcloud"), { recursive: true });
    fs.writeFileSync(path.join(env.HOME!, ".config", "gcloud", "application_default_credentials.json"), "{}");
    expect(await findCredentials({ ...env, GCE_METADATA_HOST: "127.0.0.1:1" })).toBe("gcloud application-default credentials");
  });

  it("nothing answering where the metadata server would be: the advice", async () => {
    await expect(findCredentials({ ...noCredentials(), GCE_METADATA_HOST: "127.0.0.1:1" })).rejects.toThrow(/gcloud auth application-default login/);
  });
});
