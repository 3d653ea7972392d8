// The URL as the page's memory: small readers for query parameters, and writing the page's
// state back without adding history entries. Each page has its own parameters (the residents'
// pages: ../url-state.js; the planners' page: ../planner/url.js) built from these.

/** A number from a query parameter, or null (blank or not a finite number). */
export function number(s) {
  if (s == null || s.trim() === '') return null;
  const v = Number(s);
  return Number.isFinite(v) ? v : null;
}

/** Exactly `count` comma-separated numbers (`10.75,59.92`), or null. */
export function numbers(s, count) {
  if (!s) return null;
  const parts = s.split(',').map(number);
  return parts.length === count && parts.every((v) => v !== null) ? parts : null;
}

export const validLonLat = (p) => p && Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90;

/** A number with at most `digits` decimals, without trailing zeros: 10.75. */
export const fixed = (v, digits) => String(Number(v.toFixed(digits)));

/** URLSearchParams writes commas (and ; and :) escaped; keep them readable. */
export const readable = (params) => params.toString().replace(/%2C/gi, ',').replace(/%3B/gi, ';').replace(/%3A/gi, ':');

/** `path?query`, or just `path` when the query is empty. */
export const withQuery = (path, query) => `${path}${query ? `?${query}` : ''}`;

/** Puts `query` in the address bar (replaceState: the back button is not filled with views). */
export function replaceQuery(query) {
  const url = withQuery(location.pathname, query);
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
}
