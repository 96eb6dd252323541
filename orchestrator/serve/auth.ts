/**
 * Who may call the server: the OIDC ID tokens Cloud Scheduler and Pub/Sub push send
 * (`Authorization: Bearer <token>`), verified with google-auth-library: the signature against
 * Google's keys (or the configured key source), the audience (the service URL), the issuer
 * (accounts.google.com), the expiry; then the caller's e-mail against the allow-list. The token
 * itself is never logged nor echoed.
 */
import type { AuthSettings } from "./settings";

export type AuthResult = { ok: true; email: string } | { ok: false; status: 401 | 403 | 503; reason: string };

export interface Verifier {
  check(authorization: string | undefined): Promise<AuthResult>;
}

export async function createVerifier(settings: AuthSettings): Promise<Verifier> {
  // Loaded only by a server that checks tokens.
  const { OAuth2Client } = await import("google-auth-library");
  const client = new OAuth2Client(settings.certsUrl ? { endpoints: { oauth2FederatedSignonPemCertsUrl: settings.certsUrl } } : {});
  return {
    async check(authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? "");
      if (!match) return { ok: false, status: 401, reason: authorization ? "the Authorization header is not `Bearer <ID token>`" : "no Authorization header: send an OIDC ID token as `Bearer <token>`" };
      let email: unknown;
      let verified: unknown;
      try {
        const ticket = await client.verifyIdToken({ idToken: match[1], audience: settings.audience });
        const payload = ticket.getPayload();
        email = payload?.email;
        verified = payload?.email_verified;
      } catch (e) {
        // The key source unreachable is the service's fault, not the caller's: it may retry.
        if (/Failed to retrieve verification certificates/.test((e as Error)?.message ?? "")) return { ok: false, status: 503, reason: "the token signing keys could not be fetched; try again" };
        return { ok: false, status: 401, reason: `the ID token was refused: ${reasonOf(e)}` };
      }
      if (typeof email !== "string" || verified === false) return { ok: false, status: 403, reason: "the ID token carries no verified e-mail" };
      if (!settings.allowed.includes(email.toLowerCase())) return { ok: false, status: 403, reason: `${email} is not allowed to call this service (VWATCH_ALLOWED_CALLERS)` };
      return { ok: true, email };
    },
  };
}

/** google-auth-library's reason, without the token or its payload (its messages may quote them). */
function reasonOf(e: unknown): string {
  const message = (e as Error)?.message ?? String(e);
  if (/Wrong recipient|audience/i.test(message)) return "wrong audience";
  if (/expired|Token used too late/i.test(message)) return "expired";
  if (/issuer/i.test(message)) return "wrong issuer";
  if (/Invalid token signature|No pem found/i.test(message)) return "bad signature";
  if (/Wrong number of segments|Can't parse token/i.test(message)) return "not a JWT";
  if (/too early/i.test(message)) return "not valid yet";
  if (/No issue time|No expiration time/i.test(message)) return "no issue or expiry time";
  return "not a valid ID token";
}
