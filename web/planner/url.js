// The planners' page in the URL (all parameters optional):
//   kind      a kind of src/domain/kind.rs, a comma list of them, or naermiljoanlegg (default)
//   nature    green | green_1ha | forest | shore: a nature question instead of a kind (issue 22)
//   minutes   1–60 (default 10)
//   profile   walk | slow | wheelchair (default walk)
//   open_at   2026-12-01T18:00 (Oslo time): only facilities open then (unknown hours count as open)
//   unknown_hours=closed  with open_at: facilities without known opening hours count as closed
//   lang      nb | en (default nb)
//   center    lon,lat; zoom: the map's view
//   hex=1     the coverage hexagons are shown
//   contrast=high  the high-contrast basemap, with stronger district outlines and labels
//   scenario=1, add=lon,lat;lon,lat, remove=id,id   scenario mode and its changes
//   areas=lon,lat,lon,lat,lon,lat;…   a nature scenario's new areas (each an outer ring, unclosed)
//   sort      column:asc|desc (default district:asc)
//   level     a district level of /api/coverage's `levels` (bydel, postcode, …); default: the server's
//   parent    a district's id: only the districts inside it, at the level below it (drill-down)

import { $ } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { numbers, validLonLat, fixed, readable, replaceQuery, withQuery } from '../kit/url.js';
import { updateLanguageLinks } from '../kit/languages.js';
import { KINDS, PROFILES } from '../kit/domain.js';
import { page } from './context.js';
import { validOpenAt } from './open-at.js';

export const GROUPS = ['naermiljoanlegg'];
export const DEFAULT = { kind: 'naermiljoanlegg', minutes: 10, profile: 'walk', lang: 'nb' };
export const MAX_MINUTES = 60;
export const MAX_CHANGES = 100; // the API's limit on added + removed facilities
/** The nature questions of /api/coverage's `nature=` (src/domain/nature.rs NatureTarget). */
export const NATURE = ['green', 'green_1ha', 'forest', 'shore'];
export const MAX_AREAS = 50;
export const MAX_AREA_POINTS = 500;
/** A ring's points («lon,lat,lon,lat,…») when there are at least three valid ones, else null. */
function ringOf(text) {
  const n = text.split(',').map(Number);
  if (n.length < 6 || n.length % 2 || n.length > 2 * MAX_AREA_POINTS || !n.every(Number.isFinite)) return null;
  const ring = [];
  for (let i = 0; i < n.length; i += 2) ring.push([n[i], n[i + 1]]);
  return ring.every(validLonLat) ? ring : null;
}

function validKind(s) {
  if (!s) return null;
  const parts = [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))];
  if (!parts.length || !parts.every((p) => KINDS.includes(p) || GROUPS.includes(p))) return null;
  return parts.join(',');
}

export function parseUrl(search) {
  const q = new URLSearchParams(search);
  const minutes = Number(q.get('minutes'));
  const center = numbers(q.get('center'), 2);
  const zoom = q.get('zoom') === null ? NaN : Number(q.get('zoom'));
  const [sortKey, sortDir] = (q.get('sort') ?? '').split(':');
  const add = (q.get('add') ?? '').split(';').map((p) => numbers(p, 2)).filter(validLonLat);
  const remove = (q.get('remove') ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return {
    kind: validKind(q.get('kind')) ?? DEFAULT.kind,
    nature: NATURE.includes(q.get('nature')) ? q.get('nature') : null,
    areas: (q.get('areas') ?? '').split(';').map(ringOf).filter(Boolean).slice(0, MAX_AREAS),
    minutes: Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_MINUTES ? minutes : DEFAULT.minutes,
    profile: PROFILES.includes(q.get('profile')) ? q.get('profile') : DEFAULT.profile,
    openAt: validOpenAt(q.get('open_at')),
    unknownHours: q.get('unknown_hours') === 'closed' ? 'closed' : 'open',
    lang: q.get('lang') ?? DEFAULT.lang,
    center: validLonLat(center) ? center : null,
    zoom: Number.isFinite(zoom) && zoom >= 0 && zoom <= 22 ? zoom : null,
    hex: q.get('hex') === '1',
    contrast: q.get('contrast') === 'high' ? 'high' : null,
    scenario: q.get('scenario') === '1',
    add: add.slice(0, MAX_CHANGES),
    remove: [...new Set(remove)].slice(0, MAX_CHANGES),
    sort: { key: sortKey || 'district', dir: sortDir === 'desc' ? 'desc' : 'asc' },
    level: /^[a-z][a-z0-9_]{0,39}$/.test(q.get('level') ?? '') ? q.get('level') : null,
    parent: /^[\w.:/-]{1,100}$/.test(q.get('parent') ?? '') ? q.get('parent') : null,
  };
}

function serialize(s, { lang = s.lang } = {}) {
  const q = new URLSearchParams();
  // The question is always written, so that a shared link keeps it if the defaults change.
  if (s.nature) q.set('nature', s.nature);
  else q.set('kind', s.kind);
  q.set('minutes', String(s.minutes));
  if (s.profile !== DEFAULT.profile) q.set('profile', s.profile);
  if (s.openAt && !s.nature) q.set('open_at', s.openAt);
  if (s.openAt && !s.nature && s.unknownHours === 'closed') q.set('unknown_hours', 'closed');
  if (s.level) q.set('level', s.level);
  if (s.parent) q.set('parent', s.parent);
  if (lang !== DEFAULT.lang) q.set('lang', lang);
  if (s.center) q.set('center', `${fixed(s.center[0], 5)},${fixed(s.center[1], 5)}`);
  if (s.zoom != null) q.set('zoom', fixed(s.zoom, 2));
  if (s.hex) q.set('hex', '1');
  if (s.contrast === 'high') q.set('contrast', 'high');
  if (s.scenario) q.set('scenario', '1');
  if (s.nature) {
    const areas = page.areas.map((a) => a.ring.map(([x, y]) => `${fixed(x, 6)},${fixed(y, 6)}`).join(','));
    if (areas.length) q.set('areas', areas.join(';'));
  } else {
    const add = page.proposals.map((p) => `${fixed(p.lngLat[0], 6)},${fixed(p.lngLat[1], 6)}`);
    if (add.length) q.set('add', add.join(';'));
    if (s.remove.length) q.set('remove', s.remove.join(','));
  }
  if (s.sort.key !== 'district' || s.sort.dir !== 'asc') q.set('sort', `${s.sort.key}:${s.sort.dir}`);
  return readable(q);
}

/** The address bar, the residents' link (language and contrast) and the language links. */
export function writeUrl() {
  const { state } = page;
  replaceQuery(serialize(state));
  const residents = new URLSearchParams();
  if (state.lang !== DEFAULT.lang) residents.set('lang', state.lang);
  if (state.contrast === 'high') residents.set('contrast', 'high');
  $('residents-link').href = withQuery(at('/'), residents.size ? String(residents) : '');
  updateLanguageLinks((code) => withQuery(location.pathname, serialize(state, { lang: code })));
}

/** This page with some of the state changed (`{ level, parent }`): links that reopen a view. */
export const pageUrl = (changes = {}) => withQuery(location.pathname, serialize({ ...page.state, ...changes }));

/**
 * The question as a query (`kind` or `nature`, `minutes`, `profile`, `open_at` (facilities
 * only) with `unknown_hours=closed` when chosen (`unknownHours`: false for an endpoint that
 * does not take it), `level` and `parent` when chosen, and `extra`).
 */
export const coverageQuery = (extra = {}, { where = true, unknownHours = true } = {}) => {
  const { state } = page;
  const q = new URLSearchParams(state.nature ? { nature: state.nature } : { kind: state.kind });
  q.set('minutes', String(state.minutes));
  q.set('profile', state.profile);
  if (state.openAt && !state.nature) q.set('open_at', state.openAt);
  if (unknownHours && state.openAt && !state.nature && state.unknownHours === 'closed') q.set('unknown_hours', 'closed');
  if (where && state.level) q.set('level', state.level);
  if (where && state.parent) q.set('parent', state.parent);
  for (const [k, v] of Object.entries(extra)) q.set(k, v);
  return q.toString().replace(/%2C/gi, ',');
};
