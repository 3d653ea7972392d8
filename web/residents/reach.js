// Choosing a point and asking /api/reach; what the result says (status line); selecting a
// place, an activity or a volunteer need (on the map and in the list).

import { $, announce } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, has, formatPoint } from '../kit/i18n.js';
import { boundsOf } from '../kit/map.js';
import { EMPTY } from '../kit/domain.js';
import { page } from './context.js';
import { applyTileFacilityState, pushOverlayData, setSelected } from './overlay.js';
import { groupByPlace, categoryLabel } from './programme.js';
import { renderList, renderLegend, markSelected } from './list.js';
import { writeUrl } from './url.js';
import { updateProposeNote } from './proposals.js';

let controller = null;

/** A point as the origin's GeoJSON. */
export const originOf = (point) => ({
  type: 'FeatureCollection',
  features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: point } }],
});

export function choosePoint({ lon, lat, address }, { fit = true } = {}) {
  const { state } = page;
  page.timings.chosenAt = performance.now();
  state.point = [lon, lat];
  state.address = address;
  if (!address) $('address').value = '';
  page.selected = null;
  page.overlayData.origin = originOf([lon, lat]);
  pushOverlayData();
  writeUrl();
  // "Foreslå noe her" now has its place (and its warning to choose one first goes).
  updateProposeNote();
  return refreshReach({ fit });
}

function reachQuery() {
  const { state } = page;
  const q = new URLSearchParams({
    lon: String(state.point[0]), lat: String(state.point[1]),
    minutes: String(state.minutes), profile: state.profile,
  });
  if (state.kinds && state.kinds.size) q.set('kind', [...state.kinds].sort().join(','));
  // Open now: places open by their opening hours (unknown ones left out), activities going on now.
  if (state.openNow) q.set('open_now', 'true');
  // The activity filters: the API filters the activities (not the places and the needs).
  if (state.category) q.set('category', state.category);
  if (state.age != null) q.set('age', String(state.age));
  if (state.weekday != null) q.set('weekday', String(state.weekday));
  if (state.free) q.set('free', 'true');
  if (state.timeOfDay) q.set('time_of_day', state.timeOfDay);
  if (state.accessibility.length) q.set('accessibility', state.accessibility.join(','));
  return q.toString().replace(/%2C/gi, ',');
}

/** The string key of a failed /api/reach answer. */
function errorKey(status, body) {
  const type = body?.type ?? '';
  if (type.endsWith('outside-coverage')) return 'status.outside';
  return type.endsWith('unavailable') || status === 503 ? 'status.unavailable' : 'status.failed';
}

/** Shows the result (or its absence) everywhere: map, list, legend. */
function show(body) {
  page.reach = body;
  page.overlayData.bands = body?.bands ?? EMPTY;
  page.overlayData.facilities = body ? shownFacilities() : EMPTY;
  const a = groupByPlace(body?.activities?.features ?? []);
  const n = groupByPlace(body?.volunteer_needs?.features ?? []);
  page.overlayData.activities = a.geojson;
  page.overlayData.needs = n.geojson;
  page.activityPoints = a.members;
  page.needPoints = n.members;
  pushOverlayData();
  applyTileFacilityState();
  renderList();
  renderLegend();
}

export async function refreshReach({ fit = false } = {}) {
  const { state, timings } = page;
  if (!state.point) return;
  controller?.abort();
  const mine = (controller = new AbortController());
  const started = performance.now();
  setStatus(t('status.loading'), { busy: true });
  let body;
  const query = reachQuery();
  try {
    const r = await fetch(at(`/api/reach?${query}`), { signal: mine.signal });
    body = await r.json().catch(() => null);
    if (!r.ok) throw Object.assign(new Error(body?.detail ?? `HTTP ${r.status}`), { key: errorKey(r.status, body) });
  } catch (e) {
    if (e.name === 'AbortError') return;
    page.reachError = e.key ?? 'status.failed';
    show(null);
    setStatus(t(page.reachError));
    return;
  }
  page.reachQuery = query;
  page.reachError = null;
  show(body);
  timings.reachMs = performance.now() - started;
  timings.listRenderedAt = performance.now();
  if (timings.chosenAt) timings.chooseToListMs = timings.listRenderedAt - timings.chosenAt;
  setStatus(resultSummary());
  if (fit) page.styleLoaded.then(fitToResult);
}

/** The reached facilities that pass the kind filter (the API filters too; an empty set shows none). */
export function shownFacilities() {
  const { state } = page;
  const features = page.reach?.facilities?.features ?? [];
  return {
    type: 'FeatureCollection',
    features: state.kinds ? features.filter((f) => state.kinds.has(f.properties.kind)) : features,
  };
}

function fitToResult() {
  const { map, state } = page;
  const bounds = boundsOf(page.reach?.bands?.features ?? []);
  if (!bounds) {
    map.easeTo({ center: state.point, zoom: Math.max(map.getZoom(), 15) });
    return;
  }
  map.fitBounds(bounds, { padding: 24, maxZoom: 17, duration: matchMedia('(prefers-reduced-motion: reduce)').matches ? 0 : 400 });
}

export const kindLabel = (kind) => (has(`kinds.${kind}`) ? t(`kinds.${kind}`) : kind);

/** True when the API gives activities and volunteer needs (issue 6). */
export const hasProgramme = () => Array.isArray(page.reach?.activities?.features)
  && Array.isArray(page.reach?.volunteer_needs?.features);

export function resultSummary() {
  const { state, reach } = page;
  const count = shownFacilities().features.length;
  const place = state.address ?? formatPoint(state.point[0], state.point[1]);
  const places = t('status.result', { count, minutes: state.minutes, place, profile: t(`profile.${state.profile}.short`) })
    + (state.openNow ? ` ${t('status.open_now')}` : '');
  if (!hasProgramme()) return places;
  const parts = [];
  if (state.layers.has('activities')) parts.push(t('status.activities', { count: reach.activities.features.length }));
  if (state.layers.has('volunteers')) parts.push(t('status.volunteers', { count: reach.volunteer_needs.features.length }));
  return parts.length ? `${places} ${t('status.programme', { items: parts.join(t('status.and')) })}` : places;
}

export function setStatus(text, { busy = false } = {}) {
  $('status').textContent = text;
  $('results').setAttribute('aria-busy', busy ? 'true' : 'false');
}

/** The status line for the result on show (or its error). */
export function showSummary() {
  if (page.reach) setStatus(resultSummary());
  else if (page.reachError) setStatus(t(page.reachError));
}

/** Zooms to a feature chosen in the list (or the search box); from the map, focus goes to its row. */
function follow(feature, row, from, focusSelector) {
  const { map } = page;
  if (from !== 'map' && feature?.geometry) {
    map.easeTo({ center: feature.geometry.coordinates, zoom: Math.max(map.getZoom(), 16) });
  }
  if (from === 'map' && row) row.querySelector(focusSelector)?.focus();
}

/** Selects a reached place; `from`: 'map', 'list' or 'search' (the search box: its row is not scrolled to). */
export function selectFacility(id, { from }) {
  page.selected = { type: 'facility', id };
  setSelected(page.selected);
  const f = page.reach?.facilities?.features.find((x) => x.id === id);
  follow(f, markSelected(page.selected, from !== 'search'), from, 'button');
  if (f) {
    const p = f.properties;
    announce(t('list.selected', { name: p.name || kindLabel(p.kind), kind: kindLabel(p.kind), count: p.walk_minutes }));
  }
}

/**
 * Selects an activity or a volunteer need. From the list: its id (the map goes to its point).
 * From the map: the id of a point, which several activities may share (all their rows are
 * marked, and focus goes to the first).
 */
export function selectProgramme(type, id, { from }) {
  const { reach } = page;
  const features = (type === 'activity' ? reach?.activities : reach?.volunteer_needs)?.features ?? [];
  const points = type === 'activity' ? page.activityPoints : page.needPoints;
  const ids = from === 'map' ? (points.get(id) ?? []) : [id];
  if (!ids.length) return;
  page.selected = { type, id: ids[0] };
  setSelected(page.selected);
  const li = markSelected(page.selected, true, ids);
  const items = ids.map((x) => features.find((f) => f.id === x)).filter(Boolean);
  const first = items[0];
  follow(first, li, from, '.result-name, button');
  if (!first) return;
  const p = first.properties;
  if (items.length > 1) {
    announce(t('list.selected_many', { count: items.length, titles: items.map((f) => f.properties.title).join(', ') }));
  } else {
    announce(t('list.selected', {
      name: p.title, kind: type === 'activity' ? categoryLabel(p) : t('need.kind'), count: p.walk_minutes,
    }));
  }
}
