// The residents' map (/) and the embeddable map (/embed): one module, two pages.
// <body data-mode="site|embed">. Everything comes from this server: the basemap and the
// facilities as vector tiles, the style and fonts, the walking results from /api/reach.

import { MapLibreMap, NavigationControl, AttributionControl, ScaleControl, LngLatBounds } from 'maplibre-gl';
import {
  loadLanguages, setLanguage, currentLanguage, availableLanguages, defaultLanguage, t, has,
  applyStatic, formatDistance, formatPoint, weekdayName,
} from './i18n.js';
import { Combobox } from './combobox.js';
import {
  parseState, serializeState, MINUTE_CHOICES, PROFILES, LAYERS, TIMES_OF_DAY, ACCESSIBILITY,
} from './url-state.js';
import { activityRow, needRow, groupByPlace, categoryLabel } from './programme.js';
import { openHelpForm, relabelHelpForm } from './help-form.js';

const mode = document.body.dataset.mode === 'embed' ? 'embed' : 'site';
const $ = (id) => document.getElementById(id);
const EMPTY = { type: 'FeatureCollection', features: [] };

// The facility kinds of src/domain/kind.rs, in its order.
const KINDS = ['school', 'kindergarten', 'playground', 'pitch', 'skatepark', 'fitness_station',
  'track', 'sports_hall', 'library', 'culture_house', 'youth_club', 'community_centre', 'park'];

// The activity categories of src/domain/activity.rs (issue 6), in its order.
const CATEGORIES = ['sport', 'outdoor', 'music', 'arts_crafts', 'culture', 'games_tech', 'youth_club',
  'homework_help', 'language_cafe', 'seniors', 'families', 'meeting_place'];

// Colours of what the page draws on top of the basemap, per theme.
const OVERLAY = {
  default: {
    bandFill: '#2b6cb0', bandOpacity: 0.13,
    bandLine: ['step', ['get', 'minutes'], '#0b3a66', 6, '#1f5c99', 11, '#3d7bbf'],
    bandLineWidth: ['step', ['get', 'minutes'], 2.5, 6, 2, 11, 1.6],
    origin: '#b3123c', originStroke: '#ffffff', selected: '#111111', facilityStroke: '#ffffff',
    label: '#222222', halo: 'rgba(255,255,255,0.92)',
    activityFill: '#ffffff', activityStroke: '#5b1a8c', need: '#ffd400', needStroke: '#1b1b1b',
  },
  'high-contrast': {
    bandFill: '#1a1aa6', bandOpacity: 0.16,
    bandLine: '#000000',
    bandLineWidth: ['step', ['get', 'minutes'], 4, 6, 3, 11, 2.2],
    origin: '#c8003c', originStroke: '#000000', selected: '#000000', facilityStroke: '#000000',
    label: '#000000', halo: '#ffffff',
    activityFill: '#ffffff', activityStroke: '#000000', need: '#ffd400', needStroke: '#000000',
  },
};
const TILE_FACILITY_LAYERS = ['facilities', 'facility-label'];

// ---------------------------------------------------------------------------------------------
// State

let state;
let reach = null; // the last /api/reach body
let reachError = null;
let reachController = null;
let kindColours = {};
let collections = [];
const overlayData = { bands: EMPTY, facilities: EMPTY, origin: EMPTY, activities: EMPTY, needs: EMPTY };
// Map point id → the ids of the activities (needs) that share it, in list order.
let activityPoints = new Map();
let needPoints = new Map();
// What is selected: { type: 'facility' | 'activity' | 'need', id }.
let selectedItem = null;
// The overlay sources, with the key of overlayData each shows.
const OVERLAY_SOURCES = [['reach-bands', 'bands'], ['reach-facilities', 'facilities'], ['origin', 'origin'],
  ['reach-activities', 'activities'], ['reach-needs', 'needs']];
const timings = {};

let resolveReady;
const ready = new Promise((ok) => { resolveReady = ok; });
let reachQueryShown = null; // the query of the result on show
window.app = {
  ready, mode, timings, get state() { return state; }, get reach() { return reach; },
  get reachQuery() { return reachQueryShown; },
};

function styleUrl() {
  return `/styles/${state.contrast === 'high' ? 'high-contrast' : 'default'}.json`;
}

function writeUrl() {
  const query = serializeState(state, { embed: mode === 'embed', layers: true, defaultLang: defaultLanguage });
  const url = `${location.pathname}${query ? `?${query}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
  const big = $('open-full');
  if (big) {
    const q = serializeState(state, { layers: true, defaultLang: defaultLanguage });
    big.href = `/${q ? `?${q}` : ''}`;
  }
  for (const a of document.querySelectorAll('#lang-list a')) a.href = languageHref(a.hreflang);
  if ($('embed-dialog')?.open) updateEmbedCode();
}

function languageHref(code) {
  const q = serializeState({ ...state, lang: code }, { embed: mode === 'embed', layers: true, defaultLang: defaultLanguage });
  return `${location.pathname}${q ? `?${q}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Announcements

function announce(text) {
  const region = $('announcer');
  // Clear first so that the same text twice is read twice.
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, 50);
}

// ---------------------------------------------------------------------------------------------
// The map

let map;
let styleLoaded;

function mapLocale() {
  const keys = ['NavigationControl.ZoomIn', 'NavigationControl.ZoomOut', 'NavigationControl.ResetBearing',
    'AttributionControl.ToggleAttribution', 'Map.Title', 'CooperativeGesturesHandler.WindowsHelpText',
    'CooperativeGesturesHandler.MacHelpText', 'CooperativeGesturesHandler.MobileHelpText'];
  return Object.fromEntries(keys.filter((k) => has(`maplibre.${k}`)).map((k) => [k, t(`maplibre.${k}`)]));
}

/** After a language switch: the strings MapLibre wrote into its controls at construction. */
function relabelMapControls() {
  map._locale = { ...map._locale, ...mapLocale() };
  map.getCanvas().setAttribute('aria-label', t('maplibre.Map.Title'));
  const relabel = (selector, key) => {
    for (const el of document.querySelectorAll(selector)) {
      el.title = t(key);
      el.setAttribute('aria-label', t(key));
    }
  };
  relabel('.maplibregl-ctrl-zoom-in', 'maplibre.NavigationControl.ZoomIn');
  relabel('.maplibregl-ctrl-zoom-out', 'maplibre.NavigationControl.ZoomOut');
  relabel('.maplibregl-ctrl-attrib-button', 'maplibre.AttributionControl.ToggleAttribution');
}

/** Adds the page's own sources and layers to a basemap style (also after a theme switch). */
function withOverlay(_previous, next) {
  const theme = next.metadata?.['naermiljo:theme'] === 'high-contrast' ? 'high-contrast' : 'default';
  const o = OVERLAY[theme];
  const facilityPaint = next.layers.find((l) => l.id === 'facilities')?.paint ?? {};
  kindColours = coloursFrom(facilityPaint['circle-color']);
  const sources = {
    ...next.sources,
    'reach-bands': { type: 'geojson', data: overlayData.bands },
    'reach-facilities': { type: 'geojson', data: overlayData.facilities },
    origin: { type: 'geojson', data: overlayData.origin },
    'reach-activities': { type: 'geojson', data: overlayData.activities },
    'reach-needs': { type: 'geojson', data: overlayData.needs },
  };
  const visible = (on) => ({ visibility: on ? 'visible' : 'none' });
  const bandsOn = state.layers.has('bands');
  const facilitiesOn = state.layers.has('facilities');
  const activitiesOn = state.layers.has('activities');
  const needsOn = state.layers.has('volunteers');
  const isSelected = ['boolean', ['feature-state', 'selected'], false];
  const under = [
    {
      id: 'reach-band-fill', type: 'fill', source: 'reach-bands', layout: visible(bandsOn),
      paint: { 'fill-color': o.bandFill, 'fill-opacity': o.bandOpacity },
    },
    {
      id: 'reach-band-line', type: 'line', source: 'reach-bands', layout: { ...visible(bandsOn), 'line-join': 'round' },
      paint: { 'line-color': o.bandLine, 'line-width': o.bandLineWidth },
    },
  ];
  const over = [
    {
      id: 'reach-facility', type: 'circle', source: 'reach-facilities', layout: visible(facilitiesOn),
      paint: {
        'circle-color': facilityPaint['circle-color'] ?? '#444444',
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 4, 14, 6, 17, 9],
        'circle-stroke-color': ['case', ['boolean', ['feature-state', 'selected'], false], o.selected, o.facilityStroke],
        'circle-stroke-width': ['case', ['boolean', ['feature-state', 'selected'], false], 4, 1.8],
      },
    },
    {
      id: 'reach-facility-label', type: 'symbol', source: 'reach-facilities', minzoom: 14.5,
      layout: {
        ...visible(facilitiesOn),
        'text-field': ['coalesce', ['get', 'name'], ''], 'text-font': ['Noto Sans Regular'],
        'text-size': 12, 'text-anchor': 'top', 'text-offset': [0, 0.9], 'text-max-width': 9,
        'text-optional': true,
      },
      paint: { 'text-color': o.label, 'text-halo-color': o.halo, 'text-halo-width': 1.6 },
    },
    // Activities: rings (the facilities are filled dots); a number when several share a place.
    {
      id: 'reach-activity', type: 'circle', source: 'reach-activities', layout: visible(activitiesOn),
      paint: {
        'circle-color': o.activityFill,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 5, 14, 8, 17, 11],
        'circle-stroke-color': ['case', isSelected, o.selected, o.activityStroke],
        'circle-stroke-width': ['case', isSelected, 5, 3],
      },
    },
    {
      id: 'reach-activity-count', type: 'symbol', source: 'reach-activities', filter: ['>', ['get', 'count'], 1],
      layout: {
        ...visible(activitiesOn),
        'text-field': ['to-string', ['get', 'count']], 'text-font': ['Noto Sans Bold'],
        'text-size': ['interpolate', ['linear'], ['zoom'], 11, 8, 14, 11, 17, 13],
        'text-allow-overlap': true, 'text-ignore-placement': true,
      },
      paint: { 'text-color': o.activityStroke },
    },
    // Volunteer needs: yellow dots with a dark rim.
    {
      id: 'reach-need', type: 'circle', source: 'reach-needs', layout: visible(needsOn),
      paint: {
        'circle-color': o.need,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 6, 14, 9, 17, 12],
        'circle-stroke-color': ['case', isSelected, o.selected, o.needStroke],
        'circle-stroke-width': ['case', isSelected, 5, 2.5],
      },
    },
    {
      id: 'origin', type: 'circle', source: 'origin',
      paint: {
        'circle-color': o.origin, 'circle-radius': 8,
        'circle-stroke-color': o.originStroke, 'circle-stroke-width': 3,
      },
    },
  ];
  const firstSymbol = next.layers.findIndex((l) => l.type === 'symbol');
  const at = firstSymbol < 0 ? next.layers.length : firstSymbol;
  const layers = [...next.layers.slice(0, at), ...under, ...next.layers.slice(at), ...over]
    .map((l) => (TILE_FACILITY_LAYERS.includes(l.id) ? tileFacilityLayer(l) : l));
  return { ...next, sources, layers };
}

/** The kind → colour table of the style's `match` expression, for the list's markers. */
function coloursFrom(expr) {
  const out = {};
  if (!Array.isArray(expr) || expr[0] !== 'match') return out;
  for (let i = 2; i + 1 < expr.length - 1; i += 2) {
    for (const k of [expr[i]].flat()) out[k] = expr[i + 1];
  }
  out._default = expr[expr.length - 1];
  return out;
}

/** The tile facilities: filtered by kind, hidden while a result shows its own. */
function tileFacilityLayer(layer) {
  const on = state.layers.has('facilities') && !reach;
  const filter = state.kinds ? ['in', ['get', 'kind'], ['literal', [...state.kinds]]] : undefined;
  const base = layer.id === 'facility-label'
    ? ['!=', ['coalesce', ['get', 'name'], ''], '']
    : undefined;
  const all = [base, filter].filter(Boolean);
  const out = { ...layer, layout: { ...layer.layout, visibility: on ? 'visible' : 'none' } };
  if (all.length) out.filter = all.length === 1 ? all[0] : ['all', ...all];
  else delete out.filter;
  return out;
}

function applyTileFacilityState() {
  if (!map?.getLayer('facilities')) return; // the style has not arrived; withOverlay applies it
  for (const id of TILE_FACILITY_LAYERS) {
    const l = map.getLayer(id);
    if (!l) continue;
    const styled = tileFacilityLayer({ id, layout: {}, filter: undefined });
    map.setLayoutProperty(id, 'visibility', styled.layout.visibility);
    map.setFilter(id, styled.filter ?? null);
  }
  for (const id of ['reach-band-fill', 'reach-band-line']) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', state.layers.has('bands') ? 'visible' : 'none');
  }
  for (const id of ['reach-facility', 'reach-facility-label']) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', state.layers.has('facilities') ? 'visible' : 'none');
  }
  for (const id of ['reach-activity', 'reach-activity-count']) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', state.layers.has('activities') ? 'visible' : 'none');
  }
  if (map.getLayer('reach-need')) map.setLayoutProperty('reach-need', 'visibility', state.layers.has('volunteers') ? 'visible' : 'none');
}

function pushOverlayData() {
  for (const [source, key] of OVERLAY_SOURCES) map?.getSource(source)?.setData(overlayData[key]);
  setSelected(selectedItem);
}

/** Marks the selected item's point on the map (a facility, or the point an activity shares). */
function setSelected(item) {
  if (!map?.getSource('reach-facilities')) return;
  for (const source of ['reach-facilities', 'reach-activities', 'reach-needs']) {
    if (map.getSource(source)) map.removeFeatureState({ source });
  }
  if (!item) return;
  if (item.type === 'facility') {
    map.setFeatureState({ source: 'reach-facilities', id: item.id }, { selected: true });
    return;
  }
  const [source, points] = item.type === 'activity' ? ['reach-activities', activityPoints] : ['reach-needs', needPoints];
  for (const [pointId, ids] of points) {
    if (ids.includes(item.id) && map.getSource(source)) map.setFeatureState({ source, id: pointId }, { selected: true });
  }
}

function createMap() {
  const options = {
    container: 'map',
    style: styleUrl(),
    transformStyle: withOverlay,
    attributionControl: false,
    locale: mapLocale(),
    maxZoom: 19,
    minZoom: 9,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    cooperativeGestures: mode === 'embed',
    fadeDuration: 0,
  };
  if (state.center) options.center = state.center;
  if (state.zoom != null) options.zoom = state.zoom;
  if (mode === 'embed' && state.bbox) {
    const [w, s, e, n] = state.bbox;
    // A little room around the box, so that its edges can be brought to the middle.
    const dx = (e - w) * 0.25, dy = (n - s) * 0.25;
    options.maxBounds = [[w - dx, s - dy], [e + dx, n + dy]];
    if (!state.center) options.bounds = [[w, s], [e, n]];
  }
  map = new MapLibreMap(options);
  // The style's own centre and zoom apply when it loads; a result's view must come after.
  styleLoaded = new Promise((ok) => map.once('style.load', ok));
  window.map = map; // registered in the same tick as the constructor (tests wait for 'idle')
  window.app.map = map;
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false, visualizePitch: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(new AttributionControl({
    compact: false,
    customAttribution: ['© OpenStreetMap contributors', '© Kartverket'],
  }), 'bottom-right');

  map.on('style.load', () => {
    for (const dot of document.querySelectorAll('#kinds .kind-dot')) {
      dot.style.background = kindColours[dot.dataset.kind] ?? kindColours._default ?? '#555';
    }
    pushOverlayData();
    applyTileFacilityState();
    renderLegend();
    renderList();
  });
  // Without a view in the URL: show where the data is (the facilities' TileJSON bounds),
  // so that the page fits any municipality without editing the style.
  if (!state.center && !state.point && !(mode === 'embed' && state.bbox)) {
    const fitData = (e) => {
      if (e.sourceId !== 'facilities' || !e.isSourceLoaded) return;
      map.off('sourcedata', fitData);
      const b = map.getSource('facilities')?.bounds;
      if (!Array.isArray(b) || b.length !== 4 || !(b[0] < b[2] && b[1] < b[3])) return;
      // The style's own view is kept when it looks at the data.
      if (new LngLatBounds([b[0], b[1]], [b[2], b[3]]).contains(map.getCenter())) return;
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 16, animate: false });
    };
    map.on('sourcedata', fitData);
  }
  map.on('moveend', () => {
    const c = map.getCenter();
    state.center = [c.lng, c.lat];
    state.zoom = map.getZoom();
    writeUrl();
  });
  map.on('click', (e) => {
    const box = [[e.point.x - 6, e.point.y - 6], [e.point.x + 6, e.point.y + 6]];
    const layers = ['reach-need', 'reach-activity', 'reach-facility'].filter((l) => map.getLayer(l));
    const hit = layers.length ? map.queryRenderedFeatures(box, { layers }) : [];
    if (hit.length) {
      const top = hit[0];
      if (top.layer.id === 'reach-facility') selectFacility(top.id, { from: 'map' });
      else selectProgramme(top.layer.id === 'reach-need' ? 'need' : 'activity', top.id, { from: 'map' });
      return;
    }
    choosePoint({ lon: e.lngLat.lng, lat: e.lngLat.lat, address: null });
  });
  for (const layer of ['reach-facility', 'reach-activity', 'reach-need']) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
  map.on('error', (e) => console.error('map:', e.error?.message ?? e));
  return map;
}

/** Resolves when the map has drawn everything it has (tests and benchmarks use it). */
window.app.idle = () => new Promise((ok) => {
  if (map.loaded() && map.areTilesLoaded() && !map.isMoving()) ok();
  else map.once('idle', ok);
});

// ---------------------------------------------------------------------------------------------
// Choosing a point and asking /api/reach

function choosePoint({ lon, lat, address }, { fit = true } = {}) {
  timings.chosenAt = performance.now();
  state.point = [lon, lat];
  state.address = address;
  if (!address) $('address').value = '';
  selectedItem = null;
  overlayData.origin = {
    type: 'FeatureCollection',
    features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [lon, lat] } }],
  };
  pushOverlayData();
  writeUrl();
  return refreshReach({ fit });
}

function reachQuery() {
  const q = new URLSearchParams({
    lon: String(state.point[0]), lat: String(state.point[1]),
    minutes: String(state.minutes), profile: state.profile,
  });
  if (state.kinds && state.kinds.size) q.set('kind', [...state.kinds].sort().join(','));
  // The activity filters: the API filters the activities (not the places and the needs).
  if (state.category) q.set('category', state.category);
  if (state.age != null) q.set('age', String(state.age));
  if (state.weekday != null) q.set('weekday', String(state.weekday));
  if (state.free) q.set('free', 'true');
  if (state.timeOfDay) q.set('time_of_day', state.timeOfDay);
  if (state.accessibility.length) q.set('accessibility', state.accessibility.join(','));
  return q.toString().replace(/%2C/gi, ',');
}

async function refreshReach({ fit = false } = {}) {
  if (!state.point) return;
  reachController?.abort();
  const controller = (reachController = new AbortController());
  const started = performance.now();
  setStatus(t('status.loading'), { busy: true });
  let body;
  const query = reachQuery();
  try {
    const r = await fetch(`/api/reach?${query}`, { signal: controller.signal });
    body = await r.json().catch(() => null);
    if (!r.ok) {
      const type = body?.type ?? '';
      throw Object.assign(new Error(body?.detail ?? `HTTP ${r.status}`), {
        key: type.endsWith('outside-coverage') ? 'status.outside' : type.endsWith('unavailable') || r.status === 503 ? 'status.unavailable' : 'status.failed',
      });
    }
  } catch (e) {
    if (e.name === 'AbortError') return;
    reach = null;
    reachError = e.key ?? 'status.failed';
    overlayData.bands = EMPTY;
    overlayData.facilities = EMPTY;
    setProgrammeData();
    pushOverlayData();
    applyTileFacilityState();
    renderList();
    renderLegend();
    setStatus(t(reachError));
    return;
  }
  reach = body;
  reachQueryShown = query;
  reachError = null;
  overlayData.bands = body.bands ?? EMPTY;
  overlayData.facilities = shownFacilities();
  setProgrammeData();
  pushOverlayData();
  applyTileFacilityState();
  renderList();
  renderLegend();
  timings.reachMs = performance.now() - started;
  timings.listRenderedAt = performance.now();
  if (timings.chosenAt) timings.chooseToListMs = timings.listRenderedAt - timings.chosenAt;
  setStatus(resultSummary());
  if (fit) styleLoaded.then(fitToResult);
}

/** The activities and volunteer needs of the result as map points (shared places grouped). */
function setProgrammeData() {
  const a = groupByPlace(reach?.activities?.features ?? []);
  const n = groupByPlace(reach?.volunteer_needs?.features ?? []);
  overlayData.activities = a.geojson;
  overlayData.needs = n.geojson;
  activityPoints = a.members;
  needPoints = n.members;
}

/** The reached facilities that pass the kind filter (the API filters too; an empty set shows none). */
function shownFacilities() {
  const features = reach?.facilities?.features ?? [];
  return {
    type: 'FeatureCollection',
    features: state.kinds ? features.filter((f) => state.kinds.has(f.properties.kind)) : features,
  };
}

function fitToResult() {
  const bands = reach?.bands?.features ?? [];
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(visit);
  };
  for (const f of bands) visit(f.geometry.coordinates);
  if (!Number.isFinite(w)) {
    map.easeTo({ center: state.point, zoom: Math.max(map.getZoom(), 15) });
    return;
  }
  map.fitBounds([[w, s], [e, n]], { padding: 24, maxZoom: 17, duration: matchMedia('(prefers-reduced-motion: reduce)').matches ? 0 : 400 });
}

function placeName() {
  return state.address ?? formatPoint(state.point[0], state.point[1]);
}

function kindLabel(kind) {
  return has(`kinds.${kind}`) ? t(`kinds.${kind}`) : kind;
}

function resultSummary() {
  const count = shownFacilities().features.length;
  const places = t('status.result', {
    count, minutes: state.minutes, place: placeName(), profile: t(`profile.${state.profile}.short`),
  });
  if (!hasProgramme()) return places;
  const parts = [];
  if (state.layers.has('activities')) parts.push(t('status.activities', { count: reach.activities.features.length }));
  if (state.layers.has('volunteers')) parts.push(t('status.volunteers', { count: reach.volunteer_needs.features.length }));
  return parts.length ? `${places} ${t('status.programme', { items: parts.join(t('status.and')) })}` : places;
}

/** True when the API gives activities and volunteer needs (issue 6). */
const hasProgramme = () => Array.isArray(reach?.activities?.features) && Array.isArray(reach?.volunteer_needs?.features);

function setStatus(text, { busy = false } = {}) {
  const el = $('status');
  el.textContent = text;
  $('results').setAttribute('aria-busy', busy ? 'true' : 'false');
}

// ---------------------------------------------------------------------------------------------
// The list: everything the map shows, as text

function bandsOf() {
  const minutes = (reach?.bands?.features ?? []).map((f) => f.properties.minutes).sort((a, b) => a - b);
  return minutes.length ? minutes : [state.minutes];
}

function renderList() {
  const holder = $('result-groups');
  if (!holder) return;
  if (!reach) {
    holder.replaceChildren();
    if (!reachError) setStatus(t('status.idle'));
    $('result-count').textContent = '';
    return;
  }
  const features = shownFacilities().features;
  const bands = bandsOf();
  const groups = [];
  let lower = 0;
  for (const upper of bands) {
    const items = features.filter((f) => f.properties.walk_seconds > lower * 60 && f.properties.walk_seconds <= upper * 60);
    groups.push({ lower, upper, items });
    lower = upper;
  }
  // walk_seconds of 0 (a facility at the origin) belongs in the first band
  const zero = features.filter((f) => f.properties.walk_seconds <= 0);
  if (zero.length) groups[0].items.unshift(...zero);

  const programme = hasProgramme();
  const nodes = [];
  if (programme) nodes.push(...programmeSections());
  const places = document.createElement('section');
  places.className = 'list-section';
  const placesHeading = document.createElement('h3');
  placesHeading.id = 'list-places';
  placesHeading.tabIndex = -1;
  placesHeading.textContent = t('list.places', { count: features.length });
  places.append(placesHeading);
  places.append(...groups.map(({ lower: lo, upper, items }) => {
    const section = document.createElement('section');
    section.className = 'band-group';
    const h = document.createElement('h4');
    h.id = `band-${upper}`;
    h.textContent = lo === 0
      ? t('list.band_first', { upper, count: items.length })
      : t('list.band', { lower: lo, upper, count: items.length });
    section.append(h);
    if (!items.length) {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = t('list.band_empty');
      section.append(p);
      return section;
    }
    const ol = document.createElement('ol');
    ol.className = 'result-list';
    ol.setAttribute('aria-labelledby', h.id);
    for (const f of items) ol.append(facilityItem(f));
    section.append(ol);
    return section;
  }));
  nodes.push(places);
  if (programme) nodes.unshift(listNav(nodes));
  holder.replaceChildren(...nodes);
  $('result-count').textContent = t('list.count', { count: features.length });
  if (selectedItem) markSelected(selectedItem, false);
}

/** Links to the list's parts (activities, volunteer needs, places): the list is long. */
function listNav(sections) {
  const nav = document.createElement('nav');
  nav.className = 'list-nav';
  nav.setAttribute('aria-label', t('list.nav'));
  const ul = document.createElement('ul');
  for (const section of sections) {
    const h = section.querySelector('h3');
    if (!h) continue;
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = `#${h.id}`;
    a.textContent = h.textContent;
    a.addEventListener('click', (e) => {
      e.preventDefault();
      const target = document.getElementById(h.id);
      target?.scrollIntoView({ block: 'start' });
      target?.focus({ preventScroll: true });
    });
    li.append(a);
    ul.append(li);
  }
  nav.append(ul);
  return nav;
}

/** The activities and the volunteer needs of the result, each its own part of the list. */
function programmeSections() {
  const out = [];
  if (state.layers.has('activities')) {
    const features = reach.activities.features;
    const section = document.createElement('section');
    section.className = 'list-section list-activities';
    const h = document.createElement('h3');
    h.id = 'list-activities';
    h.tabIndex = -1;
    h.textContent = t('list.activities', { count: features.length });
    section.append(h);
    const filters = activityFilterSummary();
    if (filters) {
      const p = document.createElement('p');
      p.className = 'hint list-filters';
      p.textContent = t('list.filtered', { filters });
      section.append(p);
    }
    if (features.length) {
      const ol = document.createElement('ol');
      ol.className = 'result-list';
      ol.setAttribute('aria-labelledby', h.id);
      for (const f of features) {
        ol.append(activityRow(f, { onSelect: (id) => selectProgramme('activity', id, { from: 'list' }) }));
      }
      section.append(ol);
    } else {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = t(filters ? 'list.activities_none_filtered' : 'list.activities_none');
      section.append(p);
    }
    out.push(section);
  }
  if (state.layers.has('volunteers')) {
    const features = reach.volunteer_needs.features;
    const section = document.createElement('section');
    section.className = 'list-section list-volunteers';
    const h = document.createElement('h3');
    h.id = 'list-volunteers';
    h.tabIndex = -1;
    h.textContent = t('list.volunteers', { count: features.length });
    const intro = document.createElement('p');
    intro.className = 'hint';
    intro.textContent = t('list.volunteers_intro');
    section.append(h, intro);
    if (features.length) {
      const ol = document.createElement('ol');
      ol.className = 'result-list';
      ol.setAttribute('aria-labelledby', h.id);
      for (const f of features) {
        ol.append(needRow(f, {
          onSelect: (id) => selectProgramme('need', id, { from: 'list' }),
          onHelp: (need, button) => openHelpForm(need, button),
        }));
      }
      section.append(ol);
    } else {
      const p = document.createElement('p');
      p.className = 'empty';
      p.textContent = t('list.volunteers_none');
      section.append(p);
    }
    out.push(section);
  }
  return out;
}

/** The activity filters in force, as words («Musikk, 10 år, tirsdag, gratis»), or ''. */
function activityFilterSummary() {
  const parts = [];
  if (state.category) parts.push(has(`categories.${state.category}`) ? t(`categories.${state.category}`) : state.category);
  if (state.age != null) parts.push(t('filters.age_value', { age: String(state.age) }));
  if (state.weekday != null) parts.push(weekdayName(state.weekday));
  if (state.timeOfDay) parts.push(t(`filters.time_of_day_value.${state.timeOfDay}`));
  if (state.free) parts.push(t('filters.free_value'));
  for (const a of state.accessibility) parts.push(t(`accessibility.${a}`));
  return parts.join(', ');
}

function facilityItem(f) {
  const p = f.properties;
  const li = document.createElement('li');
  li.className = 'result';
  li.dataset.id = String(f.id);
  const dot = document.createElement('span');
  dot.className = 'kind-dot';
  dot.setAttribute('aria-hidden', 'true');
  dot.style.background = kindColours[p.kind] ?? kindColours._default ?? '#555';
  const body = document.createElement('span');
  body.className = 'result-body';
  const kind = document.createElement('span');
  kind.className = 'result-kind';
  kind.textContent = kindLabel(p.kind);
  const name = document.createElement('button');
  name.type = 'button';
  name.className = 'result-name';
  name.textContent = p.name || t('list.unnamed', { kind: kindLabel(p.kind) });
  name.addEventListener('click', () => selectFacility(f.id, { from: 'list' }));
  const meta = document.createElement('span');
  meta.className = 'result-meta';
  meta.textContent = [formatDistance(p.distance_m), p.district, p.address].filter(Boolean).join(' · ');
  body.append(kind, name, meta);
  const minutes = document.createElement('span');
  minutes.className = 'result-minutes';
  minutes.textContent = t('list.minutes', { count: p.walk_minutes });
  minutes.dataset.minutes = String(p.walk_minutes);
  li.append(dot, body, minutes);
  return li;
}

const ROW_ATTRIBUTE = { facility: 'data-id', activity: 'data-activity-id', need: 'data-need-id' };

/** Highlights the rows of `item` (or of several items: `ids`); returns the first row. */
function markSelected(item, scroll, ids = [item.id]) {
  for (const li of document.querySelectorAll('.result.selected')) li.classList.remove('selected');
  const rows = ids.map((id) => document.querySelector(`.result[${ROW_ATTRIBUTE[item.type]}="${CSS.escape(String(id))}"]`))
    .filter(Boolean);
  for (const li of rows) li.classList.add('selected');
  if (scroll && rows[0]) rows[0].scrollIntoView({ block: 'nearest' });
  return rows[0] ?? null;
}

function selectFacility(id, { from }) {
  selectedItem = { type: 'facility', id };
  setSelected(selectedItem);
  const f = reach?.facilities?.features.find((x) => x.id === id);
  const li = markSelected(selectedItem, true);
  if (from === 'list' && f) {
    map.easeTo({ center: f.geometry.coordinates, zoom: Math.max(map.getZoom(), 16) });
  }
  if (from === 'map' && li) li.querySelector('button')?.focus();
  if (f) {
    const p = f.properties;
    announce(t('list.selected', {
      name: p.name || kindLabel(p.kind), kind: kindLabel(p.kind), minutes: p.walk_minutes,
    }));
  }
}

/**
 * Selects an activity or a volunteer need. From the list: its id (the map goes to its point).
 * From the map: the id of a point, which several activities may share (all their rows are
 * marked, and focus goes to the first).
 */
function selectProgramme(type, id, { from }) {
  const features = (type === 'activity' ? reach?.activities : reach?.volunteer_needs)?.features ?? [];
  const points = type === 'activity' ? activityPoints : needPoints;
  const ids = from === 'map' ? (points.get(id) ?? []) : [id];
  if (!ids.length) return;
  selectedItem = { type, id: ids[0] };
  setSelected(selectedItem);
  const li = markSelected(selectedItem, true, ids);
  const items = ids.map((x) => features.find((f) => f.id === x)).filter(Boolean);
  const first = items[0];
  if (from === 'list' && first?.geometry) {
    map.easeTo({ center: first.geometry.coordinates, zoom: Math.max(map.getZoom(), 16) });
  }
  if (from === 'map' && li) li.querySelector('.result-name, button')?.focus();
  if (!first) return;
  const p = first.properties;
  if (items.length > 1) {
    announce(t('list.selected_many', { count: items.length, titles: items.map((f) => f.properties.title).join(', ') }));
  } else {
    announce(t('list.selected', {
      name: p.title, kind: type === 'activity' ? categoryLabel(p) : t('need.kind'), minutes: p.walk_minutes,
    }));
  }
}

/** The legend: the bands of the result and the colours of the kinds, as text. */
function renderLegend() {
  const bandsEl = $('legend-bands');
  if (!bandsEl) return;
  const minutes = reach && state.layers.has('bands') ? bandsOf() : [];
  bandsEl.replaceChildren(...minutes.map((m, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `swatch swatch-band swatch-band-${Math.min(i, 2)}`;
    sw.setAttribute('aria-hidden', 'true');
    li.append(sw, document.createTextNode(t('legend.band', { minutes: m })));
    return li;
  }));
  bandsEl.hidden = !minutes.length;

  // Kinds that share a colour share a line.
  const groups = new Map();
  for (const k of KINDS) {
    if (state.kinds && !state.kinds.has(k)) continue;
    const colour = kindColours[k] ?? kindColours._default ?? '#555';
    if (!groups.has(colour)) groups.set(colour, []);
    groups.get(colour).push(kindLabel(k));
  }
  const kindsEl = $('legend-kinds');
  const showKinds = state.layers.has('facilities') && Object.keys(kindColours).length > 0;
  kindsEl.replaceChildren(...(showKinds ? [...groups] : []).map(([colour, labels]) => {
    const li = document.createElement('li');
    const dot = document.createElement('span');
    dot.className = 'kind-dot';
    dot.setAttribute('aria-hidden', 'true');
    dot.style.background = colour;
    li.append(dot, document.createTextNode(labels.join(', ')));
    return li;
  }));
  kindsEl.hidden = !kindsEl.children.length;

  // Activities (rings) and volunteer needs (yellow dots), when the result has them.
  const programmeEl = $('legend-programme');
  const entries = [];
  if (programmeEl && hasProgramme()) {
    if (state.layers.has('activities')) entries.push(['legend-activity', t('legend.activity')]);
    if (state.layers.has('volunteers')) entries.push(['legend-need', t('legend.volunteer')]);
  }
  programmeEl?.replaceChildren(...entries.map(([className, text]) => {
    const li = document.createElement('li');
    const mark = document.createElement('span');
    mark.className = className;
    mark.setAttribute('aria-hidden', 'true');
    li.append(mark, document.createTextNode(text));
    return li;
  }));
  if (programmeEl) programmeEl.hidden = !entries.length;
  $('legend').hidden = bandsEl.hidden && kindsEl.hidden && (programmeEl?.hidden ?? true);
}

// ---------------------------------------------------------------------------------------------
// Controls: search, filters, language, contrast, link, embed

function buildFilters() {
  const minutes = $('minutes');
  minutes.replaceChildren(...MINUTE_CHOICES.map((m) => {
    const o = document.createElement('option');
    o.value = String(m);
    o.textContent = t('filters.minutes_option', { count: m });
    return o;
  }));
  if (!MINUTE_CHOICES.includes(state.minutes)) {
    const o = document.createElement('option');
    o.value = String(state.minutes);
    o.textContent = t('filters.minutes_option', { count: state.minutes });
    minutes.append(o);
  }
  minutes.value = String(state.minutes);

  const profiles = $('profiles');
  profiles.replaceChildren(...PROFILES.map((p) => {
    const label = document.createElement('label');
    label.className = 'choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'profile';
    input.value = p;
    input.checked = state.profile === p;
    const text = document.createElement('span');
    text.textContent = t(`profile.${p}.label`);
    label.append(input, text);
    return label;
  }));

  const kinds = $('kinds');
  kinds.replaceChildren(...KINDS.map((k) => {
    const label = document.createElement('label');
    label.className = 'choice';
    const input = document.createElement('input');
    input.type = 'checkbox';
    input.name = 'kind';
    input.value = k;
    input.checked = !state.kinds || state.kinds.has(k);
    const dot = document.createElement('span');
    dot.className = 'kind-dot';
    dot.dataset.kind = k;
    dot.setAttribute('aria-hidden', 'true');
    dot.style.background = kindColours[k] ?? '#555';
    const text = document.createElement('span');
    text.textContent = kindLabel(k);
    label.append(input, dot, text);
    return label;
  }));
  updateKindSummary();

  const category = $('category');
  if (category) {
    const all = document.createElement('option');
    all.value = '';
    all.textContent = t('filters.category_all');
    category.replaceChildren(all, ...CATEGORIES.map((c) => {
      const o = document.createElement('option');
      o.value = c;
      o.textContent = t(`categories.${c}`);
      return o;
    }));
    category.value = state.category ?? '';
  }
  const weekday = $('weekday');
  if (weekday) {
    const all = document.createElement('option');
    all.value = '';
    all.textContent = t('filters.weekday_all');
    weekday.replaceChildren(all, ...[1, 2, 3, 4, 5, 6, 7].map((d) => {
      const o = document.createElement('option');
      o.value = String(d);
      const name = weekdayName(d);
      o.textContent = name.charAt(0).toLocaleUpperCase(document.documentElement.lang) + name.slice(1);
      return o;
    }));
    weekday.value = state.weekday != null ? String(state.weekday) : '';
  }
  if ($('age')) {
    // Keep what is being typed; show the state's age otherwise.
    if (document.activeElement !== $('age')) $('age').value = state.age != null ? String(state.age) : '';
    markAgeError(false);
  }
  if ($('free')) $('free').checked = state.free;
  const timeOfDay = $('time-of-day');
  if (timeOfDay) {
    const all = document.createElement('option');
    all.value = '';
    all.textContent = t('filters.time_of_day_all');
    timeOfDay.replaceChildren(all, ...TIMES_OF_DAY.map((d) => {
      const o = document.createElement('option');
      o.value = d;
      o.textContent = t(`filters.time_of_day_option.${d}`);
      return o;
    }));
    timeOfDay.value = state.timeOfDay ?? '';
  }
  const access = $('access');
  if (access) {
    access.replaceChildren(...ACCESSIBILITY.map((a) => {
      const label = document.createElement('label');
      label.className = 'choice';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.name = 'accessibility';
      input.value = a;
      input.checked = state.accessibility.includes(a);
      const text = document.createElement('span');
      text.textContent = t(`filters.access.${a}`);
      label.append(input, text);
      return label;
    }));
  }

  const layers = $('layers');
  if (layers) {
    layers.replaceChildren(...LAYERS.map((l) => {
      const label = document.createElement('label');
      label.className = 'choice';
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.name = 'layer';
      input.value = l;
      input.checked = state.layers.has(l);
      const text = document.createElement('span');
      text.textContent = t(`layers.${l}`);
      label.append(input, text);
      return label;
    }));
  }
}

/** The age field's error: shown under the field, announced, and tied to it. */
function markAgeError(on) {
  const input = $('age');
  const error = $('age-error');
  if (!input || !error) return;
  error.textContent = on ? t('filters.age_error') : '';
  if (on) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  input.setAttribute('aria-describedby', on ? 'age-error age-hint' : 'age-hint');
}

function updateKindSummary() {
  const n = state.kinds ? state.kinds.size : KINDS.length;
  $('kind-summary').textContent = t('filters.kinds_selected', { count: n, total: KINDS.length });
}

function wireControls() {
  $('minutes').addEventListener('change', (e) => {
    state.minutes = Number(e.target.value);
    writeUrl();
    refreshReach({ fit: true });
  });
  $('profiles').addEventListener('change', (e) => {
    if (e.target.name !== 'profile') return;
    state.profile = e.target.value;
    writeUrl();
    refreshReach();
  });
  const kindsChanged = () => {
    const chosen = [...document.querySelectorAll('#kinds input:checked')].map((i) => i.value);
    state.kinds = chosen.length === KINDS.length ? null : new Set(chosen);
    updateKindSummary();
    writeUrl();
    applyTileFacilityState();
    renderLegend();
    if (state.point) refreshReach();
  };
  $('kinds').addEventListener('change', kindsChanged);
  $('kinds-all').addEventListener('click', () => {
    for (const i of document.querySelectorAll('#kinds input')) i.checked = true;
    kindsChanged();
  });
  $('kinds-none').addEventListener('click', () => {
    for (const i of document.querySelectorAll('#kinds input')) i.checked = false;
    kindsChanged();
  });
  const activityFilterChanged = () => {
    writeUrl();
    if (state.point) refreshReach();
  };
  $('category')?.addEventListener('change', (e) => {
    state.category = e.target.value || null;
    activityFilterChanged();
  });
  $('weekday')?.addEventListener('change', (e) => {
    state.weekday = e.target.value ? Number(e.target.value) : null;
    activityFilterChanged();
  });
  $('free')?.addEventListener('change', (e) => {
    state.free = e.target.checked;
    activityFilterChanged();
  });
  $('time-of-day')?.addEventListener('change', (e) => {
    state.timeOfDay = e.target.value || null;
    activityFilterChanged();
  });
  $('access')?.addEventListener('change', () => {
    const chosen = new Set([...document.querySelectorAll('#access input:checked')].map((i) => i.value));
    state.accessibility = ACCESSIBILITY.filter((a) => chosen.has(a));
    activityFilterChanged();
  });
  // The age applies when it is a whole number 0–120 (on change, or a moment after typing).
  let ageTimer;
  const ageChanged = () => {
    clearTimeout(ageTimer);
    const text = $('age').value.trim();
    const age = text === '' ? null : Number(text);
    if (age !== null && !(Number.isInteger(age) && age >= 0 && age <= 120)) {
      markAgeError(true);
      return;
    }
    markAgeError(false);
    if (age === state.age) return;
    state.age = age;
    activityFilterChanged();
  };
  $('age')?.addEventListener('change', ageChanged);
  $('age')?.addEventListener('input', () => {
    clearTimeout(ageTimer);
    ageTimer = setTimeout(ageChanged, 600);
  });
  $('layers')?.addEventListener('change', () => {
    state.layers = new Set([...document.querySelectorAll('#layers input:checked')].map((i) => i.value));
    writeUrl();
    applyTileFacilityState();
    renderList();
    renderLegend();
    if (reach) setStatus(resultSummary());
  });
  $('use-center').addEventListener('click', () => {
    const c = map.getCenter();
    choosePoint({ lon: c.lng, lat: c.lat, address: null }, { fit: false });
  });
  $('contrast').addEventListener('click', () => {
    state.contrast = state.contrast === 'high' ? null : 'high';
    $('contrast').setAttribute('aria-pressed', String(state.contrast === 'high'));
    document.body.classList.toggle('high-contrast', state.contrast === 'high');
    writeUrl();
    map.setStyle(styleUrl(), { diff: false, transformStyle: withOverlay });
  });
  $('copy-link')?.addEventListener('click', async () => {
    const ok = await copy(location.href);
    const text = ok ? t('tools.link_copied') : t('tools.copy_failed', { url: location.href });
    $('copy-link-status').textContent = text;
  });
  wireEmbedDialog();

  new Combobox({
    input: $('address'),
    listbox: $('address-options'),
    announce,
    t,
    search: async (text, signal) => {
      const r = await fetch(`/api/addresses/search?limit=8&q=${encodeURIComponent(text)}`, { signal });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const fc = await r.json();
      return fc.features.map((f) => ({ label: f.properties.label, value: f }));
    },
    onSelect: (o) => {
      const [lon, lat] = o.value.geometry.coordinates;
      announce(t('search.chosen', { address: o.label }));
      choosePoint({ lon, lat, address: o.label });
    },
  });
}

/** Copies to the clipboard; false when the browser does not allow it. */
async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function renderLanguages() {
  const list = $('lang-list');
  if (!list) return;
  const langs = availableLanguages();
  list.replaceChildren(...Object.entries(langs).map(([code, name]) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = languageHref(code);
    a.hreflang = code;
    a.lang = code;
    a.textContent = name;
    if (code === currentLanguage()) a.setAttribute('aria-current', 'true');
    a.addEventListener('click', (e) => {
      e.preventDefault();
      switchLanguage(code);
    });
    li.append(a);
    return li;
  }));
}

async function switchLanguage(code) {
  await setLanguage(code);
  state.lang = currentLanguage();
  applyStatic();
  document.title = t(mode === 'embed' ? 'page.title_embed' : 'page.title');
  buildFilters();
  renderLanguages();
  relabelMapControls();
  relabelHelpForm();
  renderList();
  renderLegend();
  if (reach) setStatus(resultSummary());
  else if (reachError) setStatus(t(reachError));
  writeUrl();
  announce(t('lang.switched'));
}

// ---------------------------------------------------------------------------------------------
// "Bygg inn kartet": the iframe code for the current view

function embedState() {
  const list = document.querySelector('input[name=embed-list]:checked')?.value ?? 'side';
  return { ...state, list };
}

function embedCode() {
  const title = $('embed-frame-title').value.trim() || t('embed.default_title');
  const height = Math.min(2000, Math.max(300, Number($('embed-height').value) || 600));
  const q = serializeState(embedState(), { embed: true, defaultLang: defaultLanguage });
  const src = `${location.origin}/embed${q ? `?${q}` : ''}`;
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe title="${esc(title)}" src="${esc(src)}" width="100%" height="${height}" style="border:0" loading="lazy"></iframe>`;
}

function updateEmbedCode() {
  $('embed-code').value = embedCode();
  const q = serializeState(embedState(), { embed: true, defaultLang: defaultLanguage });
  $('embed-preview').href = `/embed${q ? `?${q}` : ''}`;
}

function wireEmbedDialog() {
  const dialog = $('embed-dialog');
  if (!dialog) return;
  $('embed-open').addEventListener('click', () => {
    if (!$('embed-frame-title').value) $('embed-frame-title').value = t('embed.default_title');
    updateEmbedCode();
    $('embed-copy-status').textContent = '';
    dialog.showModal();
  });
  for (const id of ['embed-frame-title', 'embed-height']) $(id).addEventListener('input', updateEmbedCode);
  $('embed-list').addEventListener('change', updateEmbedCode);
  $('embed-copy').addEventListener('click', async () => {
    $('embed-code').select();
    const ok = await copy($('embed-code').value);
    $('embed-copy-status').textContent = ok ? t('embed.copied') : t('embed.copy_failed');
  });
  $('embed-close').addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => $('embed-open').focus());
}

// ---------------------------------------------------------------------------------------------
// Optional parts that wait for data the API does not have yet

async function detectCollections() {
  try {
    const r = await fetch('/api/collections');
    if (!r.ok) return;
    collections = (await r.json()).collections.map((c) => c.id);
  } catch {
    collections = [];
  }
  // Activity filters and layers appear only when there are activities to filter (issue 6).
  const activities = $('activity-filters');
  if (activities) activities.hidden = !collections.includes('activities');
  for (const [layer, collection] of [['activities', 'activities'], ['volunteers', 'volunteer-needs']]) {
    const box = document.querySelector(`#layers input[value=${layer}]`)?.closest('label');
    if (box) box.hidden = !collections.includes(collection);
  }
}

// ---------------------------------------------------------------------------------------------
// Start

async function start() {
  const t0 = performance.now();
  await loadLanguages();
  state = parseState(location.search, { kinds: KINDS, categories: CATEGORIES });
  if (!state.contrast && !new URLSearchParams(location.search).has('contrast')
      && matchMedia('(prefers-contrast: more)').matches) state.contrast = 'high';
  await setLanguage(state.lang ?? defaultLanguage);
  state.lang = currentLanguage();
  applyStatic();
  document.title = t(mode === 'embed' ? 'page.title_embed' : 'page.title');
  document.body.classList.toggle('high-contrast', state.contrast === 'high');
  document.body.dataset.list = state.list;
  if (mode === 'embed' && state.list === 'none') $('results-details')?.removeAttribute('open');
  // On small screens the legend starts folded, so that it does not cover the map.
  if (matchMedia('(max-width: 40rem)').matches) $('legend').removeAttribute('open');
  $('contrast').setAttribute('aria-pressed', String(state.contrast === 'high'));
  buildFilters();
  renderLanguages();
  createMap();
  wireControls();
  setStatus(t('status.idle'));
  if (state.address) $('address').value = state.address;
  const firstDraw = new Promise((ok) => map.once('idle', ok));
  const pending = [];
  if (state.point) {
    overlayData.origin = {
      type: 'FeatureCollection',
      features: [{ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: state.point } }],
    };
    pending.push(refreshReach({ fit: !state.center && !(mode === 'embed' && state.bbox) }));
  }
  pending.push(detectCollections());
  await Promise.all(pending);
  writeUrl();
  firstDraw.then(() => { timings.firstIdleMs = performance.now() - t0; });
  document.documentElement.dataset.ready = 'true';
  resolveReady();
}

start().catch((e) => {
  console.error(e);
  const s = $('status');
  if (s) s.textContent = 'Kartet kunne ikke starte. / The map could not start.';
});
