import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { log } from "../../orchestrator/log";
import { freshDatabase } from "../helpers/pg";
import { servedProject, serveInProcess } from "../helpers/serve";

/**
 * Authentication of `vwatch serve`: OIDC ID tokens as Cloud Scheduler and Pub/Sub push send them,
 * verified by google-auth-library against a key source of the test's own (a local server of PEM
 * keys, as Google's certs endpoint serves them), signed with key pairs made here. Only /health is
 * open; the token never reaches the logs.
 */
const AUDIENCE = "https://vwatch-abc123-uc.a.run.app";
const ALLOWED = "scheduler@venezuelawatch.iam.gserviceaccount.com";
const key = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
const otherKey = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
function idToken(claims: Record<string, unknown>, signWith = key.privateKey, kid = "key-1"): string {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64({ alg: "RS256", typ: "JWT", kid })}.${b64({ iss: "https://accounts.google.com", aud: AUDIENCE, sub: "1234", email: ALLOWED, email_verified: true, iat: now - 10, exp: now + 3600, ...claims })}`;
  return `${body}.${crypto.sign("RSA-SHA256", Buffer.from(body), signWith).toString("base64url")}`;
}

let keys: http.Server;
let db: { url: string; drop: () => Promise<void> };
let served: Awaited<ReturnType<typeof serveInProcess>>;
const project = servedProject(1);

beforeAll(async () => {
  keys = http.createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ "key-1": key.publicKey.export({ type: "spki", format: "pem" }) }));
  });
  await new Promise<void>((resolve) => keys.listen(0, "127.0.0.1", resolve));
  db = await freshDatabase("vwatch_serve_auth");
  const certsUrl = `http://127.0.0.1:${(keys.address() as AddressInfo).port}/certs`;
  served = await serveInProcess(project, db.url, { auth: { audience: AUDIENCE, allowed: [ALLOWED], certsUrl } });
});

afterAll(async () => {
  await served?.stop();
  await db?.drop();
  await new Promise((resolve) => keys?.close(resolve));
  fs.rmSync(project, { recursive: true, force: true });
});

const get = (path: string, token?: string) => fetch(`${served.server.url}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });

describe("vwatch serve authentication", () => {
  it("/health is open; everything else without a token is 401", async () => {
    expect((await get("/health")).status).toBe(200);
    for (const path of ["/health/detailed", "/runs", "/runs/x"]) {
      const r = await get(path);
      expect(r.status, path).toBe(401);
      expect(((await r.json()) as { error: { message: string } }).error.message).toBe("no Authorization header: send an OIDC ID token as `Bearer <token>`");
    }
    const post = await fetch(`${served.server.url}/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(post.status).toBe(401);
  });

  it("a token signed by another key, for another audience, expired or from another issuer is 401 saying which", async () => {
    const cases: [string, string][] = [
      [idToken({}, otherKey.privateKey), "bad signature"],
      [idToken({ aud: "https://someone-else.example" }), "wrong audience"],
      [idToken({ iat: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }), "expired"],
      [idToken({ iss: "https://evil.example" }), "wrong issuer"],
      ["not-a-jwt", "not a JWT"],
    ];
    for (const [token, reason] of cases) {
      const r = await get("/runs", token);
      expect(r.status, reason).toBe(401);
      expect(((await r.json()) as { error: { message: string } }).error.message).toBe(`the ID token was refused: ${reason}`);
    }
  });

  it("a valid token of a caller not in the allow-list is 403; an allowed caller gets through", async () => {
    const stranger = await get("/runs", idToken({ email: "someone@example.com" }));
    expect(stranger.status).toBe(403);
    expect(((await stranger.json()) as { error: { message: string } }).error.message).toBe("someone@example.com is not allowed to call this service (VWATCH_ALLOWED_CALLERS)");
    const allowed = await get("/runs", idToken({}));
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toEqual({ runs: [] });
  });

  it("an unreachable key source is 503 (try again), not the caller's fault", async () => {
    const other = await freshDatabase("vwatch_serve_auth_keys");
    const s = await serveInProcess(project, other.url, { auth: { audience: AUDIENCE, allowed: [ALLOWED], certsUrl: "http://127.0.0.1:1/certs" } });
    try {
      const r = await fetch(`${s.server.url}/runs`, { headers: { authorization: `Bearer ${idToken({})}` } });
      expect(r.status).toBe(503);
      expect(((await r.json()) as { error: { message: string } }).error.message).toBe("the token signing keys could not be fetched; try again");
    } finally {
      await s.stop();
      await other.drop();
    }
  });

  it("logs one JSON line per request with the caller, never the token", async () => {
    log.setJson(true);
    const written: string[] = [];
    const spy = vi.spyOn(process.stderr, "write").mockImplementation((c) => (written.push(String(c)), true));
    const token = idToken({});
    const bad = idToken({ aud: "x" });
    try {
      await get("/runs", token);
      await get("/runs", bad);
    } finally {
      spy.mockRestore();
      log.setJson(false);
    }
    const text = written.join("");
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({ severity: "INFO", message: "GET /runs 200", httpStatus: 200, caller: ALLOWED }),
      expect.objectContaining({ severity: "INFO", message: "GET /runs 401", httpStatus: 401 }),
    ]);
    expect(text).not.toContain(token.split(".")[2]);
    expect(text).not.toContain(bad.split(".")[1]);
  });
});
