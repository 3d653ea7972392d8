// The whole view lives in the URL, so that a link reopens it. Parameters:
//
//   address   the chosen address's label (shown in the search field)
//   point     lon,lat of the chosen point (an address's position, or a click on the map)
//   minutes   the longest walk, 5–60 (default 15); bands at 5, 10, 15 up to it
//   profile   walk | slow | wheelchair (default walk)
//   kind      facility kinds to show, comma-separated, or none (default: all)
//   open_now  true: only places open now by their opening hours (places with unknown hours
//             are left out) and activities going on now
//   category  activity category (sport, music, …; default: all)
//   age       an age 0–120: only activities open to it
//   weekday   1–7 (Monday = 1): only activities with a session that day
//   free      true: only activities free of charge
//   time_of_day  morning (before 12) | afternoon (12–17) | evening (from 17): only activities
//             with a session starting then (on the chosen weekday, if one is chosen)
//   accessibility  features, comma-separated (wheelchair, step_free, hearing_loop,
//             accessible_toilet, sign_language, easy_language): only activities promising all
//   proposals 1 | 0: the residents' proposals (docs/PARTICIPATION.md) on the map and in the
//             list, with "Foreslå noe her". On / they show unless proposals=0; on /embed they
//             are off unless proposals=1.
//   nature    1: the nature layer on the map (green areas, forest, water and bathing places;
//             off by default)
//   lang      nb | en | … (default nb)
//   center    lon,lat of the map's centre; zoom: the map's zoom
//   contrast  high: the high-contrast basemap
// /embed also reads (and / writes `layers` too, for its "Vis i kartet" switches):
//   layers    which of bands,facilities,activities,volunteers to draw (default all)
//   bbox      minlon,minlat,maxlon,maxlat: the map cannot be moved outside it
//   list      side | bottom | none (default side)

import { number, numbers, validLonLat, fixed } from './kit/url.js';

export const MINUTE_CHOICES = [5, 10, 15, 20, 30];
export const PROFILES = ['walk', 'slow', 'wheelchair'];
export const LAYERS = ['bands', 'facilities', 'activities', 'volunteers'];
export const LIST_PLACES = ['side', 'bottom', 'none'];
// The activity filters of src/http/programme.rs (ActivityFilter), in its order.
export const TIMES_OF_DAY = ['morning', 'afternoon', 'evening'];
export const ACCESSIBILITY = ['wheelchair', 'step_free', 'hearing_loop', 'accessible_toilet',
  'sign_language', 'easy_language'];

/** Reads the state from a query string; anything invalid is dropped, not guessed at. */
export function parseState(search, { kinds = [], categories = [] } = {}) {
  const q = new URLSearchParams(search);
  const point = numbers(q.get('point'), 2);
  const center = numbers(q.get('center'), 2);
  const zoom = number(q.get('zoom'));
  const bbox = numbers(q.get('bbox'), 4);
  const minutes = Math.round(number(q.get('minutes')) ?? 15);
  const wantedKinds = q.get('kind') === 'none' ? []
    : q.get('kind')?.split(',').map((s) => s.trim()).filter((k) => kinds.includes(k));
  const layers = q.get('layers') === 'none' ? []
    : q.get('layers')?.split(',').map((s) => s.trim()).filter((l) => LAYERS.includes(l));
  const age = number(q.get('age'));
  const weekday = number(q.get('weekday'));
  const access = new Set(q.get('accessibility')?.split(',').map((a) => a.trim()));
  return {
    address: point && validLonLat(point) ? (q.get('address')?.slice(0, 200) || null) : null,
    point: validLonLat(point) ? point : null,
    minutes: minutes >= 1 && minutes <= 60 ? minutes : 15,
    profile: PROFILES.includes(q.get('profile')) ? q.get('profile') : 'walk',
    kinds: wantedKinds && (wantedKinds.length || q.get('kind') === 'none') ? new Set(wantedKinds) : null, // null: every kind
    openNow: q.get('open_now') === 'true',
    category: categories.includes(q.get('category')) ? q.get('category') : null,
    age: Number.isInteger(age) && age >= 0 && age <= 120 ? age : null,
    weekday: Number.isInteger(weekday) && weekday >= 1 && weekday <= 7 ? weekday : null,
    free: q.get('free') === 'true',
    timeOfDay: TIMES_OF_DAY.includes(q.get('time_of_day')) ? q.get('time_of_day') : null,
    // Known features only, in a fixed order (so that the same choice is the same URL).
    accessibility: ACCESSIBILITY.filter((a) => access.has(a)),
    // Any language code: its file is /static/i18n/{lang}.json (Bokmål when there is none).
    lang: /^[a-z]{2,3}$/.test(q.get('lang') ?? '') ? q.get('lang') : null,
    center: validLonLat(center) ? center : null,
    zoom: zoom !== null && zoom >= 0 && zoom <= 22 ? zoom : null,
    contrast: q.get('contrast') === 'high' ? 'high' : null,
    layers: layers ? new Set(layers) : new Set(LAYERS),
    bbox: bbox && validLonLat(bbox.slice(0, 2)) && validLonLat(bbox.slice(2)) && bbox[0] < bbox[2] && bbox[1] < bbox[3] ? bbox : null,
    list: LIST_PLACES.includes(q.get('list')) ? q.get('list') : 'side',
    // true, false, or null: the page's default (on for /, off for /embed).
    proposals: q.get('proposals') === '1' ? true : q.get('proposals') === '0' ? false : null,
    nature: q.get('nature') === '1',
  };
}

/**
 * The query string for a state. `embed` adds the embed-only parameters (and `layers`);
 * `layers: true` writes `layers` without the other embed parameters (the site page, which has
 * the same switches); `view: false` leaves out centre and zoom (the receiving map then fits
 * the result). `proposals`: whether the receiving page shows the proposals by default (on /,
 * off on /embed); `proposals=1` or `proposals=0` is written only when the state says otherwise.
 */
export function serializeState(s, {
  embed = false, layers = false, view = true, defaultLang = 'nb', proposals = !embed,
} = {}) {
  const q = new URLSearchParams();
  if (s.point) {
    if (s.address) q.set('address', s.address);
    q.set('point', `${fixed(s.point[0], 6)},${fixed(s.point[1], 6)}`);
  }
  if (s.minutes !== 15) q.set('minutes', String(s.minutes));
  if (s.profile !== 'walk') q.set('profile', s.profile);
  if (s.kinds) q.set('kind', s.kinds.size ? [...s.kinds].sort().join(',') : 'none');
  if (s.openNow) q.set('open_now', 'true');
  if (s.category) q.set('category', s.category);
  if (s.age != null) q.set('age', String(s.age));
  if (s.weekday != null) q.set('weekday', String(s.weekday));
  if (s.free) q.set('free', 'true');
  if (s.timeOfDay) q.set('time_of_day', s.timeOfDay);
  if (s.accessibility?.length) q.set('accessibility', s.accessibility.join(','));
  if (s.lang && s.lang !== defaultLang) q.set('lang', s.lang);
  if (view && s.center) q.set('center', `${fixed(s.center[0], 5)},${fixed(s.center[1], 5)}`);
  if (view && s.zoom != null) q.set('zoom', fixed(s.zoom, 2));
  if (s.contrast === 'high') q.set('contrast', 'high');
  if ((embed || layers) && s.layers && s.layers.size !== LAYERS.length) {
    q.set('layers', LAYERS.filter((l) => s.layers.has(l)).join(',') || 'none');
  }
  if (typeof s.proposals === 'boolean' && s.proposals !== proposals) q.set('proposals', s.proposals ? '1' : '0');
  if (s.nature) q.set('nature', '1');
  if (embed) {
    if (s.bbox) q.set('bbox', s.bbox.map((v) => fixed(v, 5)).join(','));
    if (s.list && s.list !== 'side') q.set('list', s.list);
  }
  // URLSearchParams writes spaces as "+", and commas as %2C; keep commas readable.
  return q.toString().replace(/%2C/gi, ',');
}
