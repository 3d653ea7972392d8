// A nature scenario's new areas (issue 22): the planner adds a park (or a forest, a beach) as a
// polygon, and POST /api/coverage/scenario `add_areas` says what it changes (./scenario.js).
//
// Two ways to make one: click points on the map (or «Legg til punkt midt i kartet», for the
// keyboard: the arrow keys move the map), see the shape as it grows, and «Fullfør område»; or
// paste a GeoJSON Polygon (a Feature, a MultiPolygon's parts, a FeatureCollection's polygons)
// or "lon lat" pairs into the text field. Each is checked here first (at least three points, no
// edges that cross, at most 500 ha, at least the size the question counts: 0.5 ha for a green
// area or forest, 1 ha for «minst 1 ha») so that the words can say what is wrong; the server
// checks again and refuses an area by its index and a reason (`refusedText`). An area listed
// before the question changed that is now too small is marked, and the scenario is not asked
// for until it is removed. The areas are listed (with their size) and drawn on the map, numbered
// by their place in the list («Område 1» is the first there is, also after one is removed), and
// kept in the URL (`areas`). A pasted area may lie anywhere: the map goes to it.

import { $, h, announce } from '../kit/dom.js';
import { t, formatNumber, currentLocale } from '../kit/i18n.js';
import { EMPTY } from '../kit/domain.js';
import { page } from './context.js';
import { writeUrl, MAX_AREAS, MAX_AREA_POINTS } from './url.js';
import { scheduleScenario, hasChanges } from './scenario.js';

const say = (text) => announce(text, 30);

/** The areas changed: the URL, the list and the map, what is said, and the scenario asked for anew. */
function changed(message, { focus } = {}) {
  writeUrl();
  renderAreas();
  if (message) say(message);
  focus?.focus();
  scheduleScenario(0);
}
/** The API's largest drawn area, in hectares. */
export const MAX_HA = 500;
/**
 * The smallest area each nature question counts (src/domain/nature.rs NatureTarget::min_ha):
 * the server refuses a drawn area below it (`too_small`, with the limit).
 */
const QUESTION_HA = { green: 0.5, green_1ha: 1, forest: 0.5, shore: 0 };
/** The least size of the question asked now, in hectares (0: any size). */
export const questionHa = () => QUESTION_HA[page.state.nature] ?? 0;

/**
 * A ring's area in hectares, as the server computes it (src/import/nature.rs `area_ha`): a
 * local projection on the GRS80 ellipsoid around the middle of its bounding box.
 */
export function hectares(ring) {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const lat0 = (Math.min(...ys) + Math.max(...ys)) / 2;
  const phi = (lat0 * Math.PI) / 180;
  const e2 = 0.00669438002290;
  const w = 1 - e2 * Math.sin(phi) ** 2;
  const perDegree = Math.PI / 180;
  const kx = Math.max(((6_378_137 / Math.sqrt(w)) * Math.cos(phi)) * perDegree, 1);
  const ky = ((6_378_137 * (1 - e2)) / w ** 1.5) * perDegree;
  const x0 = (Math.min(...xs) + Math.max(...xs)) / 2;
  ring = ring.map(([x, y]) => [x - x0, y - lat0]);
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += (ring[j][0] * kx) * (ring[i][1] * ky) - (ring[i][0] * kx) * (ring[j][1] * ky);
  }
  return Math.abs(a / 2) / 10_000;
}

/** True when two edges of the (unclosed) ring cross. */
export function selfIntersects(ring) {
  const n = ring.length;
  const cross = (a, b, c) => (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  const hit = (p1, p2, q1, q2) => {
    const d1 = cross(q1, q2, p1), d2 = cross(q1, q2, p2), d3 = cross(p1, p2, q1), d4 = cross(p1, p2, q2);
    return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0));
  };
  for (let i = 0; i < n; i++) {
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue; // neighbours through the closing edge
      if (hit(ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n])) return true;
    }
  }
  return false;
}

/** The ring without a repeated closing point and without repeated neighbours. */
function tidy(points) {
  const ring = points.filter((p, i) => i === 0 || p[0] !== points[i - 1][0] || p[1] !== points[i - 1][1]);
  while (ring.length > 1 && ring[0][0] === ring.at(-1)[0] && ring[0][1] === ring.at(-1)[1]) ring.pop();
  return ring;
}

/** Why a ring cannot be an area (a string key and its values), or null when it can. */
function problemOf(ring) {
  if (ring.length < 3) return ['areas.error_points', {}];
  if (ring.length > MAX_AREA_POINTS) return ['areas.error_many_points', { max: MAX_AREA_POINTS }];
  if (!ring.every(([x, y]) => Math.abs(x) <= 180 && Math.abs(y) <= 90)) return ['areas.error_range', {}];
  if (selfIntersects(ring)) return ['areas.error_crossing', {}];
  const ha = hectares(ring);
  if (ha > MAX_HA) return ['areas.error_large', { ha: formatNumber(Math.round(ha)), max: MAX_HA }];
  if (ha === 0) return ['areas.error_points', {}];
  const min = questionHa();
  if (ha < min) return [`areas.error_small.${counted()}`, { ha: fmtBelow(ha), min: formatNumber(min) }];
  return null;
}

/** The outer rings of a pasted GeoJSON object (Polygon, MultiPolygon, Feature, FeatureCollection). */
function ringsOfGeoJson(g) {
  if (!g || typeof g !== 'object') return [];
  if (g.type === 'FeatureCollection') return (g.features ?? []).flatMap((f) => ringsOfGeoJson(f));
  if (g.type === 'Feature') return ringsOfGeoJson(g.geometry);
  if (g.type === 'Polygon') return [g.coordinates?.[0]];
  if (g.type === 'MultiPolygon') return (g.coordinates ?? []).map((p) => p?.[0]);
  return [];
}

/**
 * Reads pasted text: GeoJSON, or coordinates as "lon lat" pairs (one a line, or separated by
 * commas; decimal points, or decimal commas when the text has no point). Norwegian "lat lon"
 * pairs are turned round (and said). `{ rings, swapped }` or `{ error: [key, vars] }`.
 */
export function parseAreas(text) {
  const s = text.trim();
  if (!s) return { error: ['areas.error_empty', {}] };
  let rings;
  if (/^[{[]/.test(s) && /"type"/.test(s)) {
    let json;
    try {
      json = JSON.parse(s);
    } catch {
      return { error: ['areas.error_json', {}] };
    }
    rings = ringsOfGeoJson(json).filter(Array.isArray)
      .map((r) => r.map((p) => (Array.isArray(p) ? [Number(p[0]), Number(p[1])] : [NaN, NaN])));
    if (!rings.length) return { error: ['areas.error_geojson', {}] };
  } else {
    const decimalComma = !s.includes('.') && /\d,\d/.test(s);
    const numbers = (decimalComma ? s.replace(/(\d),(\d)/g, '$1.$2') : s).match(/-?\d+(?:\.\d+)?/g) ?? [];
    if (numbers.length % 2) return { error: ['areas.error_odd', {}] };
    const ring = [];
    for (let i = 0; i < numbers.length; i += 2) ring.push([Number(numbers[i]), Number(numbers[i + 1])]);
    rings = [ring];
  }
  if (!rings.every((r) => r.every((p) => p.every(Number.isFinite)))) return { error: ['areas.error_range', {}] };
  // Norway lies at 57–72° N and 4–32° E: a first number in 57–72 and a second in 4–32 is "lat lon".
  const swapped = rings.every((r) => r.every(([a, b]) => a >= 57 && a <= 72 && b >= 4 && b <= 32));
  if (swapped) rings = rings.map((r) => r.map(([a, b]) => [b, a]));
  rings = rings.map(tidy);
  for (const r of rings) {
    const problem = problemOf(r);
    if (problem) return { error: problem };
  }
  return { rings, swapped };
}

/** An area's number: its place in the list, from 1. */
export const numberOf = (area) => page.areas.indexOf(area) + 1;

/** Adds an area; from the URL, quietly. Returns it, or null when there are as many as allowed. */
export function addArea(ring, { quiet = false } = {}) {
  if (page.areas.length >= MAX_AREAS) return null;
  const area = { ring };
  page.areas.push(area);
  if (!quiet) changed(t('areas.added', { n: numberOf(area), ha: fmtHa(hectares(ring)) }));
  return area;
}

function removeArea(area) {
  const n = numberOf(area);
  page.areas = page.areas.filter((a) => a !== area);
  // The ones after it move up a place, and their numbers with it: said.
  const renumbered = n <= page.areas.length ? ` ${t('areas.renumbered')}` : '';
  changed(`${t('areas.removed', { n })}${renumbered}`, { focus: $('draft-center') });
}

/** The map shows the rings (a pasted area may lie anywhere, or be a speck at the city's scale). */
function showRings(rings) {
  const { map } = page;
  if (!map || !rings.length) return;
  const points = rings.flat();
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  // At most a neighbourhood's scale: the homes around a small park stay in view.
  map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], {
    padding: Math.min(48, map.getContainer().clientWidth / 8), maxZoom: 16,
    duration: matchMedia('(prefers-reduced-motion: reduce)').matches ? 0 : 600,
  });
}

const fmtHa = (ha) => formatNumber(ha, { maximumFractionDigits: ha < 10 ? 2 : 0 });
/** A size under a limit, never rounded up to it (0,499 ha is «0,49», not «0,5»). */
const fmtBelow = (ha) => (ha < 0.1 ? formatNumber(ha, { maximumSignificantDigits: 2 })
  : formatNumber(Math.floor(ha * 100) / 100, { maximumFractionDigits: 2 }));
/** What the question counts, for its words: green areas (also ≥ 1 ha) or forest. */
const counted = () => (page.state.nature === 'forest' ? 'forest' : 'green');

/** True when a ring is smaller than the question counts (the server would refuse it). */
export const tooSmall = (ring, min = questionHa()) => min > 0 && hectares(ring) < min;

/** «Område 2 er 0,3 ha; spørsmålet teller grøntområder på minst 0,5 ha.» */
const smallText = (area, min, n = numberOf(area)) => t(`areas.too_small.${counted()}`, { n, ha: fmtBelow(hectares(area.ring)), min: formatNumber(min) });

/**
 * Why the scenario is not asked for, before sending: the listed areas smaller than the question
 * counts (after the question changed, or from a link), in words; null when there are none.
 */
export function smallAreasText() {
  const min = questionHa();
  const small = page.areas.filter((a) => tooSmall(a.ring, min));
  if (!small.length) return null;
  const which = small.length === 1 ? smallText(small[0], min) : t(`areas.too_small_many.${counted()}`, {
    list: new Intl.ListFormat(currentLocale(), { type: 'conjunction' }).format(small.map((a) => String(numberOf(a)))),
    min: formatNumber(min),
  });
  return `${which} ${t('areas.too_small_fix')}`;
}

// The server's reasons for refusing a drawn area (`reason` in its problem), with our words.
const REFUSED = {
  too_large: 'areas.refused_large', off_network: 'areas.refused_off_network',
  invalid: 'areas.refused_invalid', not_lonlat: 'areas.refused_lonlat',
};

/**
 * A drawn area the server refused, in words: which (`index` into the areas sent: «Område 2»)
 * and why (`reason`, `limit` in ha), never its English `detail`; null when the problem does
 * not say which area.
 */
export function refusedText(problem, sent) {
  const { index, reason, limit } = problem.body ?? {};
  const area = Number.isInteger(index) ? sent[index] : null;
  if (!area) return null;
  // Its number as it was sent (the list has not changed since: a change asks anew).
  const n = index + 1;
  if (reason === 'too_small') return `${smallText(area, limit ?? questionHa(), n)} ${t('areas.too_small_fix')}`;
  return t(REFUSED[reason] ?? 'areas.refused_n', { n, max: formatNumber(limit ?? MAX_HA) });
}

/** The drawing: a point more (a click on the map, or the map's centre). */
export function addDraftPoint(lngLat) {
  if (page.draft.length >= MAX_AREA_POINTS) return;
  page.draft.push([lngLat[0], lngLat[1]]);
  page.draftNote = null;
  renderAreas();
  say(t('areas.point_added', { count: page.draft.length }));
}

function finishDraft() {
  const ring = tidy(page.draft);
  const problem = problemOf(ring);
  if (problem) {
    // Said, and kept in the drawing's status until the drawing changes.
    page.draftNote = t(...problem);
    say(page.draftNote);
    $('draft-status').textContent = page.draftNote;
    return;
  }
  if (page.areas.length >= MAX_AREAS) {
    say(t('areas.error_max', { max: MAX_AREAS }));
    return;
  }
  page.draft = [];
  page.draftNote = null;
  addArea(ring);
}

function setPasteError(text) {
  $('area-text-error').textContent = text;
  $('area-text').setAttribute('aria-invalid', String(Boolean(text)));
}

function addPasted() {
  const { rings, swapped, error } = parseAreas($('area-text').value);
  if (error) {
    setPasteError(t(...error));
    $('area-text').focus();
    return;
  }
  if (page.areas.length + rings.length > MAX_AREAS) {
    setPasteError(t('areas.error_max', { max: MAX_AREAS }));
    return;
  }
  setPasteError('');
  $('area-text').value = '';
  const added = rings.map((r) => addArea(r, { quiet: true }));
  const first = added[0];
  showRings(rings);
  changed([
    added.length === 1 ? t('areas.added', { n: numberOf(first), ha: fmtHa(hectares(first.ring)) }) : t('areas.added_many', { count: added.length }),
    swapped ? t('areas.swapped') : '',
  ].filter(Boolean).join(' '));
}

/** Wires the drawing buttons and the paste field (once). */
export function wireAreas() {
  $('draft-center').addEventListener('click', () => {
    const c = page.map.getCenter();
    addDraftPoint([c.lng, c.lat]);
  });
  $('draft-undo').addEventListener('click', () => {
    if (!page.draft.length) return say(t('areas.nothing_drawn'));
    page.draft.pop();
    page.draftNote = null;
    renderAreas();
    return say(t('areas.point_removed', { count: page.draft.length }));
  });
  $('draft-cancel').addEventListener('click', () => {
    if (!page.draft.length) return say(t('areas.nothing_drawn'));
    page.draft = [];
    page.draftNote = null;
    renderAreas();
    return say(t('areas.draft_cleared'));
  });
  $('draft-finish').addEventListener('click', finishDraft);
  $('area-add').addEventListener('click', addPasted);
  $('area-text').setAttribute('aria-invalid', 'false');
}

const areaFeature = (ring, properties) => ({ type: 'Feature', properties, geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]]] } });

/** Puts the areas' layers on the style (under the labels), drawn only in a nature scenario. */
export function addAreaOverlay(map) {
  if (map.getSource('pl-areas')) return; // already on this style
  map.addSource('pl-areas', { type: 'geojson', data: EMPTY });
  map.addSource('pl-draft', { type: 'geojson', data: EMPTY });
  const purple = '#5b2a86';
  const isPoint = ['==', ['geometry-type'], 'Point'];
  for (const layer of [
    { id: 'pl-area-fill', type: 'fill', source: 'pl-areas', paint: { 'fill-color': purple, 'fill-opacity': 0.35 } },
    { id: 'pl-area-line', type: 'line', source: 'pl-areas', paint: { 'line-color': purple, 'line-width': 3 } },
    { id: 'pl-area-label', type: 'symbol', source: 'pl-areas',
      layout: { 'text-field': ['get', 'label'], 'text-font': ['Noto Sans Bold'], 'text-size': 13, 'text-allow-overlap': true },
      paint: { 'text-color': '#2e1047', 'text-halo-color': '#ffffff', 'text-halo-width': 2 } },
    { id: 'pl-draft-fill', type: 'fill', source: 'pl-draft', filter: ['==', ['geometry-type'], 'Polygon'],
      paint: { 'fill-color': purple, 'fill-opacity': 0.15 } },
    { id: 'pl-draft-line', type: 'line', source: 'pl-draft', filter: ['!', isPoint],
      paint: { 'line-color': purple, 'line-width': 2.5, 'line-dasharray': [2, 1.5] } },
    { id: 'pl-draft-point', type: 'circle', source: 'pl-draft', filter: isPoint,
      paint: { 'circle-color': '#ffffff', 'circle-radius': 5, 'circle-stroke-color': purple, 'circle-stroke-width': 3 } },
  ]) map.addLayer(layer);
}

/** The drawing as GeoJSON: its points, the line through them, and the shape once it has three. */
function draftGeoJson() {
  const d = page.draft;
  const features = d.map((p) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } }));
  if (d.length === 2) features.push({ type: 'Feature', properties: {}, geometry: { type: 'LineString', coordinates: d } });
  if (d.length >= 3) features.push(areaFeature(d, {}));
  return { type: 'FeatureCollection', features };
}

/** The size of a listed area in words, with a note when the question counts only larger ones. */
function areaText(a) {
  const ha = hectares(a.ring);
  const min = questionHa();
  const text = t('areas.item', { n: numberOf(a), ha: tooSmall(a.ring, min) ? fmtBelow(ha) : fmtHa(ha), count: a.ring.length });
  return tooSmall(a.ring, min) ? `${text} ${t('areas.small', { min: formatNumber(min) })}` : text;
}

/** The tools (facility or area), the list of areas, the drawing's status, and the map's layers. */
export function renderAreas() {
  const { state, map } = page;
  const nature = Boolean(state.nature);
  $('facility-tools').hidden = nature;
  $('area-tools').hidden = !nature;
  if (nature) {
    $('area-list').replaceChildren(...(page.areas.length ? page.areas.map((a) => h('li', {},
      h('span', { textContent: areaText(a) }),
      h('button', { type: 'button', className: 'small', textContent: t('areas.remove', { n: numberOf(a) }), on: { click: () => removeArea(a) } })))
      : [h('li', { className: 'hint', textContent: t('areas.none') })]));
    const n = page.draft.length;
    $('draft-status').textContent = page.draftNote
      || (n ? t('areas.draft', { count: n, ha: fmtHa(n >= 3 ? hectares(page.draft) : 0) }) : t('areas.draft_none'));
    $('scenario-reset').disabled = !hasChanges() && !n;
  }
  if (!map?.getSource('pl-areas')) return;
  const shown = nature && state.scenario;
  map.getSource('pl-areas').setData(shown ? {
    type: 'FeatureCollection', features: page.areas.map((a, i) => areaFeature(a.ring, { label: t('areas.label', { n: i + 1 }) })),
  } : EMPTY);
  map.getSource('pl-draft').setData(shown ? draftGeoJson() : EMPTY);
}

/** Everything drawn or listed goes (the scenario's reset). */
export function clearAreas() {
  page.areas = [];
  page.draft = [];
  page.draftNote = null;
  writeUrl();
  renderAreas();
}
