// The server's problems (RFC 9457, src/http/error.rs) in the page's language. Every 4xx and 5xx
// the server sends has a `type` `/problems/{kind}` (and `parameter`, `limit` for some kinds);
// each kind has one sentence in the shared strings (`problems.{kind}`, hyphens as underscores,
// in /static/i18n/{lang}.json: kit/i18n.js gives them to every page), a problem of no known kind
// a sentence by its status, and a request that got no answer `problems.network`.
//
// The server's `detail` is English and written for developers: it is never shown on a page,
// only logged (console.warn) by `problemText`.

import { t, has } from './i18n.js';

/**
 * The problem of a response that is not ok: `{ status, kind, type, parameter, limit, detail,
 * body }` (`kind` the last part of `type`; `body` the whole document, or null). Never throws.
 */
export async function readProblem(r) {
  let body = null;
  try {
    body = await r.json();
  } catch {
    // not a problem document (a proxy's page, say)
  }
  const type = typeof body?.type === 'string' ? body.type : '';
  return {
    status: r.status,
    type,
    kind: type.startsWith('/problems/') ? type.slice('/problems/'.length) : '',
    parameter: body?.parameter ?? null,
    limit: body?.limit ?? null,
    detail: body?.detail ?? body?.title ?? `HTTP ${r.status}`,
    body,
  };
}

/** An Error for a response that is not ok, carrying its problem (`e.problem`, `e.status`). */
export async function problemError(r) {
  const p = await readProblem(r);
  return Object.assign(new Error(p.detail), { problem: p, status: p.status });
}

// Kinds whose sentence names the parameter; without one they are said by their status.
const NAMES_PARAMETER = new Set(['invalid_parameter', 'limit_exceeded', 'unknown_parameter']);

// A status without a known kind (not from our server, or a kind newer than the strings): the
// kind it means.
const BY_STATUS = {
  400: 'bad_request', 401: 'unauthorized', 403: 'forbidden', 404: 'not_found', 405: 'method_not_allowed',
  409: 'conflict', 428: 'precondition_required', 429: 'too_many_requests', 500: 'internal',
};

/** A failed fetch (no answer at all), as browsers word it. */
const isNetworkError = (e) => e instanceof TypeError && /fetch|network|load failed/i.test(e.message ?? '');

/**
 * One sentence in the page's language for a problem (from `readProblem`), an Error carrying
 * one (`problemError`), a fetch that got no answer, or anything else (`problems.unknown`).
 */
export function problemText(x) {
  const p = x?.problem ?? (x && typeof x === 'object' && 'status' in x && !(x instanceof Error) ? x : null);
  if (!p) {
    if (x != null) console.warn('problem:', x);
    return t(isNetworkError(x) ? 'problems.network' : 'problems.unknown');
  }
  if (p.detail) console.warn(`problem ${p.status} ${p.type ?? ''}: ${p.detail}`);
  const kind = (p.kind || String(p.type ?? '').split('/').pop() || '').replaceAll('-', '_');
  let key = kind && has(`problems.${kind}`) ? kind : null;
  if (key === 'limit_exceeded' && p.limit == null) key = 'invalid_parameter';
  if (NAMES_PARAMETER.has(key) && !p.parameter) key = null;
  if (!key && BY_STATUS[p.status]) key = BY_STATUS[p.status];
  if (!key) key = p.status >= 500 ? 'server' : p.status >= 400 ? 'client' : 'unknown';
  return t(`problems.${key}`, { parameter: p.parameter ?? '', limit: p.limit ?? '', status: String(p.status ?? '') });
}
