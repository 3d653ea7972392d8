// The organisations' page talks to the server here: JSON over fetch with the session cookie
// (HttpOnly, so only the server reads it), the CSRF token from /api/me on every write, ETags
// for If-Match, and RFC 9457 problems (a 422's `errors: [{field, reason}]`) as ApiError.
// A 401 on anything but the sign-in calls themselves means the session has ended (signed
// out in another tab, or idle for 30 minutes): `whenSessionEnds(fn)` hears of it, so the page
// can ask the person to sign in again without losing what they typed.

import { at } from '../kit/base.js';

let csrf = '';
let onSessionEnded = null;

/** The token /api/me (or a sign-in) gave; sent as X-CSRF-Token on every write. */
export const setCsrf = (token) => { csrf = token ?? ''; };

/** `fn()` runs when a request finds the session ended. */
export const whenSessionEnds = (fn) => { onSessionEnded = fn; };

// Requests whose 401 is an answer, not a lost session.
const OWN_401 = /^\/(api\/me$|auth\/(sign-in|sign-out|link))/;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `HTTP ${status}`);
    this.status = status;
    this.errors = Array.isArray(problem?.errors) ? problem.errors : [];
    this.retryAfter = null;
    /** A 412's ETag of the version now stored. */
    this.currentEtag = problem?.current_etag ?? null;
    /** A 401 of a signed-in page: the session has ended. */
    this.sessionEnded = false;
  }
}

/**
 * `api(method, path, { body, version })` → `{ status, data, etag }`; throws ApiError when the
 * answer is not 2xx (status 0 when the server could not be reached). `version`: the item's
 * version, sent as If-Match "vN". `file` (a File or Blob) is sent as it is instead of a JSON
 * `body`, with `type` as its Content-Type. `path` is an app path ('/api/…'): the prefix of a
 * service under a path is added here (kit/base.js).
 */
export async function api(method, path, { body, file, type, version, csrf: withCsrf = true } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (file !== undefined) headers['Content-Type'] = type ?? 'application/octet-stream';
  if (method !== 'GET' && withCsrf) headers['X-CSRF-Token'] = csrf;
  if (version != null) headers['If-Match'] = `"v${version}"`;
  let r;
  try {
    r = await fetch(at(path), {
      method, headers, credentials: 'same-origin', body: file ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch {
    throw new ApiError(0, { detail: 'no answer from the server' });
  }
  let data = null;
  const text = await r.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!r.ok) {
    const e = new ApiError(r.status, data);
    e.retryAfter = r.headers.get('Retry-After');
    if (r.status === 401 && !OWN_401.test(path)) {
      e.sessionEnded = true;
      onSessionEnded?.();
    }
    throw e;
  }
  return { status: r.status, data, etag: r.headers.get('ETag') };
}

/** The version number in an ETag ("v3" → 3). */
export const versionOf = (etag) => Number(/v(\d+)/.exec(etag ?? '')?.[1] ?? NaN);

/** /api/me, or null when no one is signed in. */
export async function me() {
  try {
    const { data } = await api('GET', '/api/me');
    setCsrf(data.csrf);
    return data;
  } catch (e) {
    if (e.status === 401) return null;
    throw e;
  }
}

/** Today in Oslo as YYYY-MM-DD, and `days` later. */
export function osloDate(days = 0, from = null) {
  const base = from ? new Date(`${from}T12:00:00Z`) : new Date();
  const d = new Date(base.getTime() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}
