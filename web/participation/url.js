// The nærutvalg's page in the URL: /medvirkning?omrade=ID&status=&category=&from=&to=&lang=&contrast=high
//   omrade    a district id (as in /api/collections/districts); without it, the districts to choose from
//   status    received | under_consideration | planned | done | not_possible (default: all)
//   category  a proposal category (a facility kind, safety, paths_lighting, meeting_place,
//             activity_idea, other; default: all)
//   from, to  YYYY-MM-DD: published on or after, on or before
//   lang      nb | en (default nb)
//   contrast  high: the kit's high-contrast colours

import { replaceQuery, withQuery, readable } from '../kit/url.js';
import { at } from '../kit/base.js';
import { PROPOSAL_CATEGORIES, PROPOSAL_STATUSES } from '../kit/domain.js';

export const DEFAULT_LANG = 'nb';
const ID = /^[\w.:-]{1,100}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date YYYY-MM-DD, or null. */
export function validDate(s) {
  if (!DATE.test(s ?? '')) return null;
  const d = new Date(`${s}T12:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s ? s : null;
}

export function parseUrl(search) {
  const q = new URLSearchParams(search);
  const omrade = q.get('omrade')?.trim();
  return {
    omrade: omrade && ID.test(omrade) ? omrade : null,
    status: PROPOSAL_STATUSES.includes(q.get('status')) ? q.get('status') : null,
    category: PROPOSAL_CATEGORIES.includes(q.get('category')) ? q.get('category') : null,
    from: validDate(q.get('from')),
    to: validDate(q.get('to')),
    lang: /^[a-z]{2,3}$/.test(q.get('lang') ?? '') ? q.get('lang') : null,
    contrast: q.get('contrast') === 'high' ? 'high' : null,
  };
}

/** The page's query for state `s` (`changes` override it). */
export function serialize(s, changes = {}) {
  const x = { ...s, ...changes };
  const q = new URLSearchParams();
  if (x.omrade) q.set('omrade', x.omrade);
  for (const key of ['status', 'category', 'from', 'to']) if (x[key]) q.set(key, x[key]);
  if (x.lang && x.lang !== DEFAULT_LANG) q.set('lang', x.lang);
  if (x.contrast === 'high') q.set('contrast', 'high');
  return readable(q);
}

/** The filters as the API's query (`district` is the page's `omrade`), with `extra` (f=csv, limit). */
export function apiQuery(s, extra = {}) {
  const q = new URLSearchParams();
  if (s.omrade) q.set('district', s.omrade);
  for (const key of ['status', 'category', 'from', 'to']) if (s[key]) q.set(key, s[key]);
  q.set('sort', '-supports');
  for (const [k, v] of Object.entries(extra)) q.set(k, String(v));
  return readable(q);
}

/** This page with another district (or none), the same filters, language and contrast. */
export const pageHref = (s, changes = {}) => withQuery(at('/medvirkning'), serialize(s, changes));

/** Language and contrast only, for the other pages' links. */
export function siteQuery(s) {
  const q = new URLSearchParams();
  if (s.lang && s.lang !== DEFAULT_LANG) q.set('lang', s.lang);
  if (s.contrast === 'high') q.set('contrast', 'high');
  return q.toString();
}

export const writeUrl = (s) => replaceQuery(serialize(s));
