/**
 * The signed-in citizen: a bearer token and the citizen id it is for, kept in sessionStorage
 * (gone when the tab closes; never in a cookie, so no other site can make the browser send it).
 */
export interface Session {
  token: string;
  citizenId: string;
  /** When the token stops being accepted (its `exp`). */
  expiresAt: Date;
}

const KEY = 'citizen-graph.session';

/** The `exp` claim of a JWT, read without verifying it (the gateway verifies; this only schedules the sign-out). */
export function tokenExpiry(token: string): Date | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: unknown };
    return typeof json.exp === 'number' ? new Date(json.exp * 1000) : undefined;
  } catch {
    return undefined;
  }
}

export function loadSession(): Session | undefined {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return undefined;
    const stored = JSON.parse(raw) as { token?: unknown; citizenId?: unknown };
    if (typeof stored.token !== 'string' || typeof stored.citizenId !== 'string') return undefined;
    // A token without a readable expiry is still tried: the gateway has the last word.
    const expiresAt = tokenExpiry(stored.token) ?? new Date(8.64e15);
    return { token: stored.token, citizenId: stored.citizenId, expiresAt };
  } catch {
    return undefined;
  }
}

export function saveSession(token: string, citizenId: string): Session {
  sessionStorage.setItem(KEY, JSON.stringify({ token, citizenId }));
  return { token, citizenId, expiresAt: tokenExpiry(token) ?? new Date(8.64e15) };
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export type DevSignIn = { ok: true; session: Session } | { ok: false; off: boolean; message: string };

/** Development sign-in: the portal server signs a citizen token (`POST /dev/token`); 404 in production. */
export async function devSignIn(citizenId: string): Promise<DevSignIn> {
  let response: Response;
  try {
    response = await fetch('/dev/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ citizenId }),
    });
  } catch {
    return { ok: false, off: false, message: 'The portal server is not reachable. Check your connection and try again.' };
  }
  const body = (await response.json().catch(() => ({}))) as { token?: string; citizenId?: string; error?: string };
  if (response.status === 404) return { ok: false, off: true, message: DEV_SIGN_IN_OFF };
  if (!response.ok || typeof body.token !== 'string') {
    return { ok: false, off: false, message: body.error ?? `Sign-in failed (HTTP ${response.status}).` };
  }
  return { ok: true, session: saveSession(body.token, body.citizenId ?? citizenId) };
}

export const DEV_SIGN_IN_OFF =
  'Development sign-in is off on this server (it runs in production). Sign in through your identity provider instead.';

/** Whether this server offers development sign-in: `GET /dev/token` answers, or is 404 (production). */
export async function devSignInAvailable(): Promise<boolean> {
  try {
    const response = await fetch('/dev/token', { method: 'GET' });
    return response.status !== 404;
  } catch {
    return true; // unknown: let the citizen try, and report what happens
  }
}
