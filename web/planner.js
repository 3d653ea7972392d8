// The planners' page (/planner): coverage per district for a facility kind, a walking time and
// a profile; a district map coloured by share (with the percentage as a label, and a pattern on
// the lowest classes), the coverage hexagons (gaps), a sortable table with a CSV link, a bar
// chart, and scenario mode (propose facilities, close facilities, see before and after).
// Everything comes from this server: /api/coverage, /api/coverage/scenario,
// /api/collections/{districts,facilities}/items, /tiles/coverage.json and the basemap style.
//
// Strings: /static/i18n/planner/{lang}.json (kept apart from the residents' i18n/*.json).
// URL parameters (all optional):
//   kind      a kind of src/domain/kind.rs, a comma list of them, or naermiljoanlegg (default)
//   minutes   1–60 (default 10)
//   profile   walk | slow | wheelchair (default walk)
//   lang      nb | en (default nb)
//   center    lon,lat; zoom: the map's view
//   hex=1     the coverage hexagons are shown
//   contrast=high  the high-contrast basemap, with stronger district outlines and labels
//   scenario=1, add=lon,lat;lon,lat, remove=id,id   scenario mode and its changes
//   sort      column:asc|desc (default district:asc)

import { MapLibreMap, NavigationControl, AttributionControl, ScaleControl, Marker, Popup } from 'maplibre-gl';

const $ = (id) => document.getElementById(id);
const EMPTY = { type: 'FeatureCollection', features: [] };

// The facility kinds of src/domain/kind.rs, in its order, and the group the API accepts.
const KINDS = ['school', 'kindergarten', 'playground', 'pitch', 'skatepark', 'fitness_station',
  'track', 'sports_hall', 'library', 'culture_house', 'youth_club', 'community_centre', 'park'];
const GROUPS = ['naermiljoanlegg'];
const PROFILES = ['walk', 'slow', 'wheelchair'];
const DEFAULT = { kind: 'naermiljoanlegg', minutes: 10, profile: 'walk', lang: 'nb' };
const MAX_MINUTES = 60;
const MAX_CHANGES = 100; // the API's limit on added + removed facilities

// Share classes of the district map: colour (ColorBrewer RdYlBu, safe for colour-blind
// readers), and for the two lowest classes a pattern too; every district also carries its
// percentage as a label, so colour is never the only cue.
const CLASSES = [
  { below: 0.5, colour: '#d73027', pattern: 'pl-hatch' },
  { below: 0.75, colour: '#fc8d59', pattern: 'pl-dots' },
  { below: 0.9, colour: '#fee090' },
  { below: 1, colour: '#91bfdb' },
  { below: Infinity, colour: '#4575b4' },
];
const NO_DATA = '#bdbdbd';

// What the page draws on the basemap, per theme (the high-contrast one: black outlines and
// text, wider lines, bigger labels with a solid halo).
const THEME = {
  default: {
    districtLine: '#2f2f2f', districtLineWidth: ['interpolate', ['linear'], ['zoom'], 11, 0.6, 15, 1.6],
    label: '#111111', labelHalo: 'rgba(255,255,255,0.95)', labelHaloWidth: 1.8,
    labelSize: ['interpolate', ['linear'], ['zoom'], 11, 11, 15, 13],
    fillOpacity: 0.5, hexLine: '#2a0054', hexLineWidth: 0.6,
    facility: '#123b5e', facilityStroke: '#ffffff', closed: '#a50f15',
  },
  'high-contrast': {
    districtLine: '#000000', districtLineWidth: ['interpolate', ['linear'], ['zoom'], 11, 1.6, 15, 3.2],
    label: '#000000', labelHalo: '#ffffff', labelHaloWidth: 2.6,
    labelSize: ['interpolate', ['linear'], ['zoom'], 11, 12.5, 15, 15],
    fillOpacity: 0.6, hexLine: '#000000', hexLineWidth: 1,
    facility: '#000000', facilityStroke: '#ffffff', closed: '#8a0010',
  },
};
const theme = () => THEME[state.contrast === 'high' ? 'high-contrast' : 'default'];
const styleUrl = () => `/styles/${state.contrast === 'high' ? 'high-contrast' : 'default'}.json`;

// ---------------------------------------------------------------------------------------------
// Strings and formats

let strings = {};
let locale = 'nb-NO';
let languages = { nb: 'Norsk (bokmål)', en: 'English' };

async function loadStrings(code) {
  try {
    const r = await fetch('/static/i18n/planner/languages.json');
    if (r.ok) languages = await r.json();
  } catch { /* keep the default list */ }
  const wanted = Object.hasOwn(languages, code) ? code : DEFAULT.lang;
  let r = await fetch(`/static/i18n/planner/${wanted}.json`);
  if (!r.ok && wanted !== DEFAULT.lang) r = await fetch(`/static/i18n/planner/${DEFAULT.lang}.json`);
  if (!r.ok) throw new Error(`planner strings: HTTP ${r.status}`);
  strings = await r.json();
  locale = strings._meta?.locale ?? 'nb-NO';
  document.documentElement.lang = strings._meta?.html_lang ?? wanted;
  return strings._meta?.code ?? wanted;
}

function lookup(key) {
  let v = strings;
  for (const part of key.split('.')) {
    if (v == null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

function t(key, vars = {}) {
  const v = lookup(key);
  if (typeof v !== 'string') {
    console.warn(`missing planner string ${key}`);
    return key;
  }
  return v.replace(/\{(\w+)\}/g, (m, name) => (vars[name] === undefined ? m : String(vars[name])));
}

function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

const fmtInt = (n) => new Intl.NumberFormat(locale).format(n);
/** 95,6 %; a share just below 1 never shows as 100 %. */
function fmtShare(s, digits = 1) {
  if (s == null || !Number.isFinite(s)) return t('table.none');
  const cap = 1 - 10 ** -(digits + 2);
  const v = s < 1 ? Math.min(s, cap) : 1;
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 }).format(v);
}
function fmtMinutes(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return t('table.none');
  return t('table.minutes_value', {
    value: new Intl.NumberFormat(locale, { maximumFractionDigits: 1, minimumFractionDigits: 1 }).format(seconds / 60),
  });
}
/** Change in percentage points, signed: +3,2 p.p. */
function fmtPoints(delta) {
  if (delta == null || !Number.isFinite(delta)) return t('table.none');
  const pp = delta * 100;
  const digits = pp !== 0 && Math.abs(pp) < 0.1 ? 2 : 1;
  return t('table.points', {
    value: new Intl.NumberFormat(locale, { signDisplay: 'exceptZero', maximumFractionDigits: digits, minimumFractionDigits: 1 }).format(pp),
  });
}
function fmtPoint([lon, lat]) {
  const f = (v) => new Intl.NumberFormat(locale, { minimumFractionDigits: 5, maximumFractionDigits: 5 }).format(v);
  const east = locale.startsWith('nb') || locale.startsWith('nn') ? 'Ø' : 'E';
  return `${f(lat)}° N, ${f(lon)}° ${east}`;
}

function kindLabel(kind) {
  return kind.split(',').map((k) => t(`kinds.${k}`)).join(', ');
}

// ---------------------------------------------------------------------------------------------
// State in the URL

function validKind(s) {
  if (!s) return null;
  const parts = [...new Set(s.split(',').map((p) => p.trim()).filter(Boolean))];
  if (!parts.length || !parts.every((p) => KINDS.includes(p) || GROUPS.includes(p))) return null;
  return parts.join(',');
}

function numbers(s, count) {
  if (!s) return null;
  const parts = s.split(',').map((x) => (x.trim() === '' ? NaN : Number(x)));
  return parts.length === count && parts.every(Number.isFinite) ? parts : null;
}
const validLonLat = (p) => p && Math.abs(p[0]) <= 180 && Math.abs(p[1]) <= 90;

function parseUrl(search) {
  const q = new URLSearchParams(search);
  const minutes = Number(q.get('minutes'));
  const center = numbers(q.get('center'), 2);
  const zoom = q.get('zoom') === null ? NaN : Number(q.get('zoom'));
  const [sortKey, sortDir] = (q.get('sort') ?? '').split(':');
  const add = (q.get('add') ?? '').split(';').map((p) => numbers(p, 2)).filter(validLonLat);
  const remove = (q.get('remove') ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
  return {
    kind: validKind(q.get('kind')) ?? DEFAULT.kind,
    minutes: Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_MINUTES ? minutes : DEFAULT.minutes,
    profile: PROFILES.includes(q.get('profile')) ? q.get('profile') : DEFAULT.profile,
    lang: q.get('lang') ?? DEFAULT.lang,
    center: validLonLat(center) ? center : null,
    zoom: Number.isFinite(zoom) && zoom >= 0 && zoom <= 22 ? zoom : null,
    hex: q.get('hex') === '1',
    contrast: q.get('contrast') === 'high' ? 'high' : null,
    scenario: q.get('scenario') === '1',
    add: add.slice(0, MAX_CHANGES),
    remove: [...new Set(remove)].slice(0, MAX_CHANGES),
    sort: { key: sortKey || 'district', dir: sortDir === 'desc' ? 'desc' : 'asc' },
  };
}

const fixed = (v, digits) => String(Number(v.toFixed(digits)));

function serialize(s, { lang = s.lang } = {}) {
  const q = new URLSearchParams();
  // The question is always written, so that a shared link keeps it if the defaults change.
  q.set('kind', s.kind);
  q.set('minutes', String(s.minutes));
  if (s.profile !== DEFAULT.profile) q.set('profile', s.profile);
  if (lang !== DEFAULT.lang) q.set('lang', lang);
  if (s.center) q.set('center', `${fixed(s.center[0], 5)},${fixed(s.center[1], 5)}`);
  if (s.zoom != null) q.set('zoom', fixed(s.zoom, 2));
  if (s.hex) q.set('hex', '1');
  if (s.contrast === 'high') q.set('contrast', 'high');
  if (s.scenario) q.set('scenario', '1');
  const add = proposals.map((p) => `${fixed(p.lngLat[0], 6)},${fixed(p.lngLat[1], 6)}`);
  if (add.length) q.set('add', add.join(';'));
  if (s.remove.length) q.set('remove', s.remove.join(','));
  if (s.sort.key !== 'district' || s.sort.dir !== 'asc') q.set('sort', `${s.sort.key}:${s.sort.dir}`);
  return q.toString().replace(/%2C/gi, ',').replace(/%3B/gi, ';').replace(/%3A/gi, ':');
}

function writeUrl() {
  const query = serialize(state);
  const url = `${location.pathname}${query ? `?${query}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
  const residents = new URLSearchParams();
  if (state.lang !== DEFAULT.lang) residents.set('lang', state.lang);
  if (state.contrast === 'high') residents.set('contrast', 'high');
  $('residents-link').href = `/${residents.size ? `?${residents}` : ''}`;
  for (const a of document.querySelectorAll('#lang-list a')) {
    const q = serialize(state, { lang: a.hreflang });
    a.href = `${location.pathname}${q ? `?${q}` : ''}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Page state

const state = parseUrl(location.search);
let proposals = []; // { n, lngLat: [lon, lat], marker }
let proposalSeq = 0;
let districtsGeo = EMPTY;
let coverage = null; // the last GET /api/coverage body
let coverageError = null;
let facilities = []; // GeoJSON features of the chosen kind
let scenario = null; // { request, before, after, addresses_changed } of the current changes
let scenarioError = null;
let scenarioBusy = false;
let map;
let styleReady;

let resolveReady;
const ready = new Promise((ok) => { resolveReady = ok; });
window.app = {
  ready,
  get state() { return state; },
  get coverage() { return coverage; },
  get scenario() { return scenario; },
  get proposals() { return proposals.map((p) => p.lngLat); },
  get busy() { return scenarioBusy || questionBusy; },
};

function announce(text) {
  const el = $('announcer');
  el.textContent = '';
  // A fresh node, so that screen readers read the same message twice.
  setTimeout(() => { el.textContent = text; }, 30);
}

const questionKey = () => `${state.kind}|${state.minutes}|${state.profile}`;
const coverageQuery = (extra = {}) => {
  const q = new URLSearchParams({ kind: state.kind, minutes: String(state.minutes), profile: state.profile, ...extra });
  return q.toString().replace(/%2C/gi, ',');
};

async function problem(r) {
  try {
    const p = await r.json();
    return { status: r.status, type: p.type ?? '', detail: p.detail ?? p.title ?? `HTTP ${r.status}` };
  } catch {
    return { status: r.status, type: '', detail: `HTTP ${r.status}` };
  }
}

// ---------------------------------------------------------------------------------------------
// Loading: coverage, facilities, districts

let questionController = null;
let questionBusy = false;

async function loadQuestion() {
  questionController?.abort();
  const controller = new AbortController();
  questionController = controller;
  questionBusy = true;
  const key = questionKey();
  $('status').textContent = t('results.loading');
  try {
    const [cov, fac] = await Promise.all([
      fetch(`/api/coverage?${coverageQuery()}`, { signal: controller.signal }),
      fetch(`/api/collections/facilities/items?${new URLSearchParams({ kind: state.kind, limit: '10000' }).toString().replace(/%2C/gi, ',')}`,
        { signal: controller.signal }),
    ]);
    if (!cov.ok) throw new Error((await problem(cov)).detail);
    if (!fac.ok) throw new Error((await problem(fac)).detail);
    const [c, f] = await Promise.all([cov.json(), fac.json()]);
    if (key !== questionKey()) return;
    coverage = c;
    coverageError = null;
    facilities = f.features ?? [];
    const ids = new Set(facilities.map((x) => x.id));
    state.remove = state.remove.filter((id) => ids.has(id));
    $('status').textContent = '';
  } catch (e) {
    if (e.name === 'AbortError') return;
    coverage = null;
    coverageError = e.message;
    $('status').textContent = t('results.failed', { detail: e.message });
  } finally {
    if (questionController === controller) {
      questionController = null;
      questionBusy = false;
    }
  }
  renderQuestionLinks();
  renderFacilityChoices();
  renderScenarioLists();
  pushFacilities();
  updateHexSource();
  if (state.scenario && hasChanges()) await runScenario();
  else scenario = null;
  renderAll();
}

async function loadDistricts() {
  const r = await fetch('/api/collections/districts/items?limit=10000');
  if (!r.ok) throw new Error((await problem(r)).detail);
  districtsGeo = await r.json();
}

// ---------------------------------------------------------------------------------------------
// Scenario

const hasChanges = () => proposals.length > 0 || state.remove.length > 0;
let scenarioController = null;
let scenarioTimer = null;

function scheduleScenario(delay = 120) {
  clearTimeout(scenarioTimer);
  scenarioBusy = true;
  scenarioTimer = setTimeout(() => { runScenario().then(renderAll); }, delay);
}

async function runScenario() {
  clearTimeout(scenarioTimer);
  scenarioController?.abort();
  if (!state.scenario || !hasChanges() || !coverage) {
    scenario = null;
    scenarioError = null;
    scenarioBusy = false;
    return;
  }
  const controller = new AbortController();
  scenarioController = controller;
  scenarioBusy = true;
  const request = {
    kind: state.kind,
    minutes: state.minutes,
    profile: state.profile,
    add: proposals.map((p) => [...p.lngLat]),
    remove: [...state.remove],
  };
  $('scenario-status').textContent = t('scenario.working');
  try {
    const r = await fetch('/api/coverage/scenario', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: controller.signal,
    });
    if (!r.ok) {
      const p = await problem(r);
      scenario = null;
      scenarioError = p.type.includes('outside-coverage') || p.status === 422 ? t('scenario.off_network')
        : t('scenario.failed', { detail: p.detail });
    } else {
      scenario = { request, ...(await r.json()) };
      scenarioError = null;
    }
  } catch (e) {
    if (e.name === 'AbortError') return;
    scenario = null;
    scenarioError = t('scenario.failed', { detail: e.message });
  } finally {
    if (scenarioController === controller) {
      scenarioController = null;
      scenarioBusy = false;
    }
  }
}

function addProposal(lngLat, { focus = false } = {}) {
  if (proposals.length + state.remove.length >= MAX_CHANGES) return;
  const n = ++proposalSeq;
  const p = { n, lngLat: [lngLat[0], lngLat[1]] };
  p.marker = makeMarker(p);
  proposals.push(p);
  writeUrl();
  renderScenarioLists();
  announce(t('scenario.added', { n }));
  if (focus) p.marker.getElement().focus();
  scheduleScenario(0);
}

function removeProposal(n, { focusAfter } = {}) {
  const i = proposals.findIndex((p) => p.n === n);
  if (i < 0) return;
  proposals[i].marker.remove();
  proposals.splice(i, 1);
  writeUrl();
  renderScenarioLists();
  announce(t('scenario.removed', { n }));
  focusAfter?.focus();
  scheduleScenario(0);
}

function makeMarker(p) {
  const el = document.createElement('button');
  el.type = 'button';
  el.className = 'proposed-marker';
  el.textContent = String(p.n);
  el.setAttribute('aria-label', t('scenario.marker', { n: p.n }));
  el.title = t('scenario.proposed_item', { n: p.n });
  const marker = new Marker({ element: el, draggable: true }).setLngLat(p.lngLat);
  if (state.scenario && map) marker.addTo(map);
  marker.on('dragend', () => {
    const ll = marker.getLngLat();
    p.lngLat = [ll.lng, ll.lat];
    writeUrl();
    renderScenarioLists();
    announce(t('scenario.moved', { n: p.n }));
    scheduleScenario(0);
  });
  el.addEventListener('click', (e) => e.stopPropagation());
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      removeProposal(p.n, { focusAfter: $('add-center') });
      return;
    }
    const step = e.shiftKey ? 50 : 10;
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
    if (!d) return;
    e.preventDefault();
    e.stopPropagation();
    const px = map.project(p.lngLat);
    const ll = map.unproject([px.x + d[0], px.y + d[1]]);
    p.lngLat = [ll.lng, ll.lat];
    marker.setLngLat(p.lngLat);
    writeUrl();
    renderScenarioLists();
    scheduleScenario(300);
  });
  return marker;
}

function facilityName(f) {
  return f.properties?.name || t('facility.unnamed', { kind: t(`kinds.${f.properties?.kind}`) });
}

function closeFacility(id) {
  if (state.remove.includes(id) || proposals.length + state.remove.length >= MAX_CHANGES) return;
  state.remove.push(id);
  const f = facilities.find((x) => x.id === id);
  writeUrl();
  pushFacilities();
  renderScenarioLists();
  renderFacilityChoices();
  announce(t('scenario.closed', { name: f ? facilityName(f) : id }));
  scheduleScenario(0);
}

function reopenFacility(id, { focusAfter } = {}) {
  state.remove = state.remove.filter((x) => x !== id);
  const f = facilities.find((x) => x.id === id);
  writeUrl();
  pushFacilities();
  renderScenarioLists();
  renderFacilityChoices();
  announce(t('scenario.reopened', { name: f ? facilityName(f) : id }));
  focusAfter?.focus();
  scheduleScenario(0);
}

function setScenarioMode(on, { quiet = false } = {}) {
  state.scenario = on;
  popup?.remove();
  $('scenario-toggle').setAttribute('aria-pressed', String(on));
  $('scenario-panel').hidden = !on;
  document.body.classList.toggle('scenario-on', on);
  for (const p of proposals) {
    if (on && map) p.marker.addTo(map);
    else p.marker.remove();
  }
  writeUrl();
  pushFacilities();
  if (!quiet) announce(t(on ? 'scenario.on' : 'scenario.off'));
  if (on && hasChanges()) scheduleScenario(0);
  else {
    scenario = null;
    scenarioError = null;
    runScenario().then(renderAll);
  }
}

// ---------------------------------------------------------------------------------------------
// Rows, table, chart

function rows() {
  if (!coverage) return [];
  const after = new Map((scenario?.after.districts ?? []).map((d) => [d.district_id, d]));
  return coverage.districts.map((d) => {
    const a = scenario ? after.get(d.district_id) : null;
    return {
      id: d.district_id,
      district: d.district ?? d.district_id ?? '',
      addresses: d.addresses,
      covered: d.covered,
      share: d.addresses > 0 ? d.share : null,
      covered_after: a ? a.covered : null,
      share_after: a && a.addresses > 0 ? a.share : null,
      change: a && d.addresses > 0 ? a.share - d.share : null,
      median_s: d.median_s,
      p90_s: d.p90_s,
      population: d.population,
      resident_share: d.resident_share,
    };
  });
}

function columns() {
  const withPopulation = coverage?.districts.some((d) => d.population != null);
  const cols = [
    { key: 'district', label: 'table.district', type: 'text' },
    { key: 'addresses', label: 'table.addresses', type: 'int' },
    { key: 'covered', label: 'table.covered', type: 'int' },
    { key: 'share', label: scenario ? 'table.share_before' : 'table.share', type: 'share' },
  ];
  if (scenario) {
    cols.push({ key: 'covered_after', label: 'table.covered_after', type: 'int' },
      { key: 'share_after', label: 'table.share_after', type: 'share' },
      { key: 'change', label: 'table.change', type: 'points' });
  }
  cols.push({ key: 'median_s', label: 'table.median', type: 'minutes' },
    { key: 'p90_s', label: 'table.p90', type: 'minutes' });
  if (withPopulation) {
    cols.push({ key: 'population', label: 'table.population', type: 'int' },
      { key: 'resident_share', label: 'table.resident_share', type: 'share' });
  }
  return cols;
}

function format(col, v) {
  if (v == null || (typeof v === 'number' && !Number.isFinite(v))) return t('table.none');
  switch (col.type) {
    case 'int': return fmtInt(v);
    case 'share': return fmtShare(v);
    case 'minutes': return fmtMinutes(v);
    case 'points': return fmtPoints(v);
    default: return String(v);
  }
}

function sorted(list) {
  const cols = columns();
  const col = cols.find((c) => c.key === state.sort.key) ?? cols[0];
  const dir = state.sort.dir === 'desc' ? -1 : 1;
  const collator = new Intl.Collator(locale, { numeric: true });
  return [...list].sort((a, b) => {
    const x = a[col.key], y = b[col.key];
    const xn = x == null || (typeof x === 'number' && !Number.isFinite(x));
    const yn = y == null || (typeof y === 'number' && !Number.isFinite(y));
    if (xn || yn) return xn === yn ? collator.compare(a.district, b.district) : xn ? 1 : -1; // empty last
    const c = col.type === 'text' ? collator.compare(x, y) : x - y;
    return c !== 0 ? dir * c : collator.compare(a.district, b.district);
  });
}

let headKey = '';

function renderTableHead(cols) {
  const key = `${cols.map((c) => c.key).join(',')}|${strings._meta?.code}`;
  const head = $('table-head');
  if (key !== headKey) {
    headKey = key;
    head.replaceChildren(...cols.map((c) => {
      const th = document.createElement('th');
      th.scope = 'col';
      th.dataset.key = c.key;
      if (c.type !== 'text') th.className = 'num';
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'sort';
      b.dataset.key = c.key;
      const label = document.createElement('span');
      label.textContent = t(c.label);
      const icon = document.createElement('span');
      icon.className = 'sort-icon';
      icon.setAttribute('aria-hidden', 'true');
      b.append(label, icon);
      b.addEventListener('click', () => sortBy(c.key));
      th.append(b);
      return th;
    }));
  }
  if (!cols.some((c) => c.key === state.sort.key)) state.sort = { key: 'district', dir: 'asc' };
  for (const th of head.children) {
    const on = th.dataset.key === state.sort.key;
    if (on) th.setAttribute('aria-sort', state.sort.dir === 'asc' ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
    th.querySelector('.sort-icon').textContent = on ? (state.sort.dir === 'asc' ? '▲' : '▼') : '↕';
  }
}

function sortBy(key) {
  const col = columns().find((c) => c.key === key);
  if (!col) return;
  if (state.sort.key === key) state.sort.dir = state.sort.dir === 'asc' ? 'desc' : 'asc';
  else state.sort = { key, dir: 'asc' };
  writeUrl();
  renderTable();
  renderChart();
  $('sort-status').textContent = t(state.sort.dir === 'asc' ? 'table.sorted_ascending' : 'table.sorted_descending',
    { column: t(col.label) });
}

function cell(tag, col, value, text) {
  const el = document.createElement(tag);
  if (col.type !== 'text') el.className = 'num';
  if (value != null && typeof value === 'number') el.dataset.value = String(value);
  el.dataset.key = col.key;
  el.textContent = text;
  return el;
}

function renderTable() {
  const cols = columns();
  renderTableHead(cols);
  $('table-caption').textContent = t('table.caption', {
    kind: kindLabel(state.kind), minutes: state.minutes, profile: t(`profile_short.${state.profile}`),
  });
  const list = sorted(rows());
  $('table-body').replaceChildren(...list.map((r) => {
    const tr = document.createElement('tr');
    tr.dataset.districtId = r.id ?? '';
    if (r.change > 0) tr.classList.add('improved');
    if (r.change < 0) tr.classList.add('worse');
    for (const c of cols) {
      if (c.key === 'district') {
        const th = cell('th', c, null, r.district);
        th.scope = 'row';
        tr.append(th);
      } else {
        tr.append(cell('td', c, r[c.key], format(c, r[c.key])));
      }
    }
    return tr;
  }));
  const foot = $('table-foot');
  if (!coverage) {
    foot.replaceChildren();
    return;
  }
  const tot = coverage.total;
  const after = scenario?.after.total;
  const total = {
    district: t('table.total'), addresses: tot.addresses, covered: tot.covered, share: tot.share,
    covered_after: after?.covered ?? null, share_after: after?.share ?? null,
    change: after ? after.share - tot.share : null, median_s: tot.median_s, p90_s: tot.p90_s,
    population: tot.population, resident_share: tot.resident_share,
  };
  const tr = document.createElement('tr');
  for (const c of cols) {
    if (c.key === 'district') {
      const th = cell('th', c, null, total.district);
      th.scope = 'row';
      tr.append(th);
    } else {
      tr.append(cell('td', c, total[c.key], format(c, total[c.key])));
    }
  }
  foot.replaceChildren(tr);
}

function renderChart() {
  const list = sorted(rows());
  $('chart-hint').textContent = t(scenario ? 'chart.hint_scenario' : 'chart.hint');
  $('chart').replaceChildren(...list.map((r) => {
    const li = document.createElement('li');
    li.dataset.districtId = r.id ?? '';
    const name = document.createElement('span');
    name.className = 'bar-name';
    name.textContent = r.district;
    const track = document.createElement('span');
    track.className = 'bar-track';
    track.setAttribute('aria-hidden', 'true');
    const bar = (cls, v) => {
      const b = document.createElement('span');
      b.className = `bar ${cls}`;
      b.style.width = `${Math.max(0, Math.min(1, v ?? 0)) * 100}%`;
      return b;
    };
    if (scenario) {
      track.classList.add('two');
      track.append(bar('before', r.share), bar('after', r.share_after));
    } else {
      track.append(bar('now', r.share));
    }
    const value = document.createElement('span');
    value.className = 'bar-value';
    value.textContent = scenario
      ? t('chart.before_after', { before: fmtShare(r.share), after: fmtShare(r.share_after) })
      : fmtShare(r.share);
    li.append(name, track, value);
    return li;
  }));
}

function renderTotals() {
  const box = $('totals');
  box.replaceChildren();
  if (!coverage) return;
  const tot = coverage.total;
  const p = document.createElement('p');
  p.className = 'summary';
  p.textContent = t('results.summary', {
    kind: kindLabel(state.kind), minutes: state.minutes, profile: t(`profile_short.${state.profile}`),
    covered: fmtInt(tot.covered), addresses: fmtInt(tot.addresses), share: fmtShare(tot.share),
  });
  box.append(p);
  if (tot.population != null && tot.residents_covered != null) {
    const r = document.createElement('p');
    r.textContent = t('results.residents', {
      covered: fmtInt(tot.residents_covered), population: fmtInt(tot.population), share: fmtShare(tot.resident_share),
    });
    box.append(r);
  }
  if (scenario) {
    const a = scenario.after.total;
    const s = document.createElement('p');
    s.className = 'summary scenario-summary';
    s.textContent = t('scenario.result', {
      covered: fmtInt(a.covered), addresses: fmtInt(a.addresses), share: fmtShare(a.share), minutes: state.minutes,
      change: fmtPoints(a.share - tot.share), changed: fmtInt(scenario.addresses_changed),
    });
    box.append(s);
  }
}

function renderQuestionLinks() {
  $('kind-hint').hidden = !state.kind.split(',').includes('naermiljoanlegg');
  $('csv-link').href = `/api/coverage?${coverageQuery({ format: 'csv' })}`;
  $('csv-link').download = `coverage-${state.kind.replace(/,/g, '-')}-${state.minutes}min-${state.profile}.csv`;
}

let scenarioCsvUrl = null;
function renderScenarioCsv() {
  const link = $('scenario-csv-link');
  if (scenarioCsvUrl) URL.revokeObjectURL(scenarioCsvUrl);
  scenarioCsvUrl = null;
  link.hidden = !scenario;
  if (!scenario) return;
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ['district_id,district,addresses,covered_before,share_before,covered_after,share_after,change'];
  for (const r of rows()) {
    lines.push([q(r.id ?? ''), q(r.district), r.addresses, r.covered, r.share?.toFixed(4) ?? '',
      r.covered_after ?? '', r.share_after?.toFixed(4) ?? '', r.change?.toFixed(4) ?? ''].join(','));
  }
  const b = coverage.total, a = scenario.after.total;
  lines.push(['total', '', b.addresses, b.covered, b.share.toFixed(4), a.covered, a.share.toFixed(4),
    (a.share - b.share).toFixed(4)].join(','));
  scenarioCsvUrl = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv;charset=utf-8' }));
  link.href = scenarioCsvUrl;
}

function renderScenarioLists() {
  const list = $('proposed-list');
  if (!proposals.length) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = t('scenario.none_proposed');
    list.replaceChildren(li);
  } else {
    list.replaceChildren(...proposals.map((p) => {
      const li = document.createElement('li');
      const text = document.createElement('span');
      text.textContent = `${t('scenario.proposed_item', { n: p.n })}: ${fmtPoint(p.lngLat)}`;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'small';
      b.textContent = t('scenario.remove_proposed', { n: p.n });
      b.addEventListener('click', () => removeProposal(p.n, { focusAfter: $('add-center') }));
      li.append(text, b);
      return li;
    }));
  }
  const closed = $('closed-list');
  if (!state.remove.length) {
    const li = document.createElement('li');
    li.className = 'hint';
    li.textContent = t('scenario.none_closed');
    closed.replaceChildren(li);
  } else {
    closed.replaceChildren(...state.remove.map((id) => {
      const f = facilities.find((x) => x.id === id);
      const name = f ? facilityName(f) : String(id);
      const li = document.createElement('li');
      const text = document.createElement('span');
      text.textContent = name;
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'small';
      b.textContent = t('scenario.reopen');
      b.setAttribute('aria-label', t('scenario.reopen_label', { name }));
      b.addEventListener('click', () => reopenFacility(id, { focusAfter: $('close-select') }));
      li.append(text, b);
      return li;
    }));
  }
  $('scenario-reset').disabled = !hasChanges();
}

function renderFacilityChoices() {
  const select = $('close-select');
  const keep = select.value;
  const first = document.createElement('option');
  first.value = '';
  first.textContent = t('scenario.close_choose');
  const collator = new Intl.Collator(locale);
  const open = facilities.filter((f) => !state.remove.includes(f.id))
    .map((f) => ({ id: f.id, label: f.properties?.district ? `${facilityName(f)} (${f.properties.district})` : facilityName(f) }))
    .sort((a, b) => collator.compare(a.label, b.label));
  select.replaceChildren(first, ...open.map((f) => {
    const o = document.createElement('option');
    o.value = String(f.id);
    o.textContent = f.label;
    return o;
  }));
  if (open.some((f) => String(f.id) === keep)) select.value = keep;
}

function renderScenarioStatus() {
  const el = $('scenario-status');
  if (!state.scenario) el.textContent = '';
  else if (scenarioError) el.textContent = scenarioError;
  else if (scenarioBusy) el.textContent = t('scenario.working');
  else if (!hasChanges()) el.textContent = t('scenario.empty');
  else el.textContent = '';
}

let lastAnnounced = '';
function renderAll() {
  renderTotals();
  renderTable();
  renderChart();
  renderScenarioCsv();
  renderScenarioStatus();
  renderLegend();
  pushDistricts();
  if (coverage) {
    const msg = scenario
      ? t('scenario.result', {
        covered: fmtInt(scenario.after.total.covered), addresses: fmtInt(scenario.after.total.addresses),
        share: fmtShare(scenario.after.total.share), minutes: state.minutes,
        change: fmtPoints(scenario.after.total.share - coverage.total.share), changed: fmtInt(scenario.addresses_changed),
      })
      : t('results.announce', { share: fmtShare(coverage.total.share) });
    if (msg !== lastAnnounced) {
      if (lastAnnounced) announce(msg);
      lastAnnounced = msg;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Legend

function classOf(share) {
  if (share == null || !Number.isFinite(share)) return -1;
  return CLASSES.findIndex((c) => share < c.below);
}

function renderLegend() {
  $('legend-share').textContent = t(scenario ? 'legend.share_after' : 'legend.share', { minutes: state.minutes });
  let from = 0;
  const items = CLASSES.map((c, i) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `swatch class-${i}`;
    sw.style.backgroundColor = c.colour;
    sw.setAttribute('aria-hidden', 'true');
    let text;
    if (i === 0) text = t('legend.below', { to: fmtShare(c.below, 0) });
    else if (c.below === Infinity) text = t('legend.all', { to: fmtShare(1, 0) });
    else text = t('legend.range', { from: fmtShare(from, 0), to: fmtShare(c.below, 0) });
    if (c.pattern) text += ` (${t(c.pattern === 'pl-hatch' ? 'legend.hatched' : 'legend.dotted')})`;
    from = c.below;
    li.append(sw, document.createTextNode(text));
    return li;
  });
  $('legend-classes').replaceChildren(...items);
  const other = [];
  const item = (cls, key) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = `swatch ${cls}`;
    sw.setAttribute('aria-hidden', 'true');
    li.append(sw, document.createTextNode(t(key)));
    other.push(li);
  };
  if (state.hex) item('hex', 'legend.hex');
  item('facility', 'legend.facility');
  if (state.scenario) {
    item('closed', 'legend.closed');
    item('proposed', 'legend.proposed');
  }
  $('legend-other').replaceChildren(...other);
}

// ---------------------------------------------------------------------------------------------
// Map

function districtFeatures() {
  const now = new Map((coverage?.districts ?? []).map((d) => [d.district_id, d]));
  const after = new Map((scenario?.after.districts ?? []).map((d) => [d.district_id, d]));
  return {
    type: 'FeatureCollection',
    features: (districtsGeo.features ?? []).map((f) => {
      const id = f.id ?? f.properties?.id;
      const d = now.get(id);
      const a = after.get(id);
      const before = d && d.addresses > 0 ? d.share : null;
      const shown = scenario ? (a && a.addresses > 0 ? a.share : null) : before;
      let label = shown == null ? '' : fmtShare(shown, 0);
      if (scenario && before != null && shown != null && a.covered !== d.covered) {
        label = `${fmtShare(before, 0)} → ${fmtShare(shown, 0)}`;
      }
      const name = f.properties?.name ?? d?.district ?? '';
      return {
        type: 'Feature',
        id: typeof id === 'number' ? id : undefined,
        geometry: f.geometry,
        properties: { id, name, cls: classOf(shown), label, label_long: label ? `${name}\n${label}` : name },
      };
    }),
  };
}

function pushDistricts() {
  map?.getSource('pl-districts')?.setData(districtFeatures());
}

function pushFacilities() {
  const closed = new Set(state.remove);
  map?.getSource('pl-facilities')?.setData({
    type: 'FeatureCollection',
    features: facilities.map((f) => ({
      type: 'Feature',
      id: f.id,
      geometry: f.geometry,
      properties: { id: f.id, name: facilityName(f), closed: state.scenario && closed.has(f.id) },
    })),
  });
}

const hexUrl = () => `${location.origin}/tiles/coverage.json?${coverageQuery()}`;

function updateHexSource() {
  const src = map?.getSource('pl-hex');
  if (src && src.url !== hexUrl()) src.setUrl(hexUrl());
  applyHexVisibility();
}

function applyHexVisibility() {
  if (!map?.getLayer('pl-hex-fill')) return;
  const v = state.hex ? 'visible' : 'none';
  map.setLayoutProperty('pl-hex-fill', 'visibility', v);
  map.setLayoutProperty('pl-hex-line', 'visibility', v);
  map.setPaintProperty('pl-district-fill', 'fill-opacity', state.hex ? 0.18 : theme().fillOpacity);
  map.setPaintProperty('pl-district-pattern', 'fill-opacity', state.hex ? 0.3 : 1);
}

/** A small RGBA pattern for `fill-pattern`: diagonal hatching or dots. */
function patternImage(kind) {
  const size = 8;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const on = kind === 'hatch' ? (x + y) % size === 0 || (x + y) % size === 1
        : (x % 4 === 1 || x % 4 === 2) && (y % 4 === 1 || y % 4 === 2) && ((x >> 2) + (y >> 2)) % 2 === 0;
      if (!on) continue;
      const i = (y * size + x) * 4;
      data.set([40, 20, 10, 200], i);
    }
  }
  return { width: size, height: size, data };
}

function addOverlay() {
  if (map.getSource('pl-districts')) return; // already on this style
  const o = theme();
  const layers = map.getStyle().layers;
  const firstSymbol = layers.find((l) => l.type === 'symbol')?.id;
  for (const id of ['facilities', 'facility-label']) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', 'none');
  }
  if (!map.hasImage('pl-hatch')) map.addImage('pl-hatch', patternImage('hatch'));
  if (!map.hasImage('pl-dots')) map.addImage('pl-dots', patternImage('dots'));

  map.addSource('pl-districts', { type: 'geojson', data: districtFeatures() });
  map.addSource('pl-hex', { type: 'vector', url: hexUrl() });
  map.addSource('pl-facilities', { type: 'geojson', data: EMPTY });

  const clsColour = ['match', ['get', 'cls'], ...CLASSES.flatMap((c, i) => [i, c.colour]), NO_DATA];
  map.addLayer({
    id: 'pl-district-fill', type: 'fill', source: 'pl-districts',
    paint: { 'fill-color': clsColour, 'fill-opacity': o.fillOpacity },
  }, firstSymbol);
  map.addLayer({
    id: 'pl-district-pattern', type: 'fill', source: 'pl-districts',
    filter: ['in', ['get', 'cls'], ['literal', [0, 1]]],
    paint: { 'fill-pattern': ['match', ['get', 'cls'], 0, 'pl-hatch', 'pl-dots'] },
  }, firstSymbol);
  map.addLayer({
    id: 'pl-hex-fill', type: 'fill', source: 'pl-hex', 'source-layer': 'coverage',
    filter: ['>', ['get', 'uncovered'], 0],
    layout: { visibility: 'none' },
    paint: {
      'fill-color': ['interpolate', ['linear'], ['get', 'share'], 0, '#3f007d', 0.5, '#6a51a3', 0.9, '#9e9ac8', 1, '#dadaeb'],
      'fill-opacity': 0.72,
    },
  }, firstSymbol);
  map.addLayer({
    id: 'pl-hex-line', type: 'line', source: 'pl-hex', 'source-layer': 'coverage',
    filter: ['>', ['get', 'uncovered'], 0],
    layout: { visibility: 'none' },
    paint: { 'line-color': o.hexLine, 'line-width': o.hexLineWidth },
  }, firstSymbol);
  map.addLayer({
    id: 'pl-district-line', type: 'line', source: 'pl-districts',
    paint: { 'line-color': o.districtLine, 'line-width': o.districtLineWidth },
  }, firstSymbol);
  map.addLayer({
    id: 'pl-facility', type: 'circle', source: 'pl-facilities',
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3, 14, 5.5, 17, 8],
      'circle-color': ['case', ['get', 'closed'], '#ffffff', o.facility],
      'circle-stroke-color': ['case', ['get', 'closed'], o.closed, o.facilityStroke],
      'circle-stroke-width': ['case', ['get', 'closed'], 3, 1.5],
    },
  });
  map.addLayer({
    id: 'pl-district-label', type: 'symbol', source: 'pl-districts',
    filter: ['!=', ['get', 'label'], ''],
    layout: {
      'text-field': ['step', ['zoom'], ['get', 'label'], 15, ['get', 'label_long']],
      'text-font': ['Noto Sans Bold'],
      'text-size': o.labelSize,
      'text-padding': 2,
      'text-max-width': 10,
    },
    paint: { 'text-color': o.label, 'text-halo-color': o.labelHalo, 'text-halo-width': o.labelHaloWidth },
  });
  map.addLayer({
    id: 'pl-facility-closed-label', type: 'symbol', source: 'pl-facilities',
    filter: ['==', ['get', 'closed'], true],
    layout: {
      'text-field': t('facility.closed_label'), 'text-font': ['Noto Sans Bold'], 'text-size': 11,
      'text-anchor': 'top', 'text-offset': [0, 0.8], 'text-allow-overlap': true,
    },
    paint: { 'text-color': o.closed, 'text-halo-color': '#ffffff', 'text-halo-width': o.labelHaloWidth },
  });
  map.addLayer({
    id: 'pl-facility-label', type: 'symbol', source: 'pl-facilities', minzoom: 15,
    filter: ['!=', ['get', 'closed'], true],
    layout: {
      'text-field': ['get', 'name'], 'text-font': ['Noto Sans Regular'], 'text-size': 11,
      'text-anchor': 'top', 'text-offset': [0, 0.8], 'text-max-width': 8, 'text-optional': true,
    },
    paint: { 'text-color': o.facility, 'text-halo-color': '#ffffff', 'text-halo-width': o.labelHaloWidth },
  });
  pushFacilities();
  applyHexVisibility();
}

function districtBounds() {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(visit);
  };
  for (const f of districtsGeo.features ?? []) if (f.geometry) visit(f.geometry.coordinates);
  return w < e && s < n ? [[w, s], [e, n]] : null;
}

function createMap() {
  const options = {
    container: 'map',
    style: styleUrl(),
    attributionControl: false,
    locale: {
      'NavigationControl.ZoomIn': t('map.zoom_in'),
      'NavigationControl.ZoomOut': t('map.zoom_out'),
      'AttributionControl.ToggleAttribution': t('map.attribution'),
      'Map.Title': t('map.label'),
      'Popup.Close': t('map.popup_close'),
    },
    maxZoom: 19,
    minZoom: 9,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    fadeDuration: 0,
  };
  if (state.center) options.center = state.center;
  if (state.zoom != null) options.zoom = state.zoom;
  map = new MapLibreMap(options);
  window.map = map; // registered in the same tick as the constructor (tests wait for 'idle')
  window.app.map = map;
  styleReady = new Promise((ok) => map.once('style.load', ok));
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false, visualizePitch: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(new AttributionControl({
    compact: false,
    customAttribution: ['© OpenStreetMap contributors', '© Kartverket'],
  }), 'bottom-right');
  map.on('moveend', () => {
    const c = map.getCenter();
    state.center = [c.lng, c.lat];
    state.zoom = map.getZoom();
    writeUrl();
  });
  map.on('click', (e) => {
    if (!state.scenario) {
      showDistrictPopup(e);
      return;
    }
    if (e.originalEvent?.target?.closest?.('.proposed-marker')) return;
    const box = [[e.point.x - 7, e.point.y - 7], [e.point.x + 7, e.point.y + 7]];
    const hit = map.getLayer('pl-facility') ? map.queryRenderedFeatures(box, { layers: ['pl-facility'] }) : [];
    if (hit.length) {
      const id = hit[0].properties.id;
      if (state.remove.includes(id)) reopenFacility(id);
      else closeFacility(id);
      return;
    }
    addProposal([e.lngLat.lng, e.lngLat.lat]);
  });
  map.on('mousemove', (e) => {
    if (!state.scenario || !map.getLayer('pl-facility')) {
      map.getCanvas().style.cursor = '';
      return;
    }
    const box = [[e.point.x - 7, e.point.y - 7], [e.point.x + 7, e.point.y + 7]];
    map.getCanvas().style.cursor = map.queryRenderedFeatures(box, { layers: ['pl-facility'] }).length ? 'pointer' : 'crosshair';
  });
  map.on('error', (e) => console.error('map:', e.error?.message ?? e));
}

let popup = null;

/** Outside scenario mode a click on a district shows its numbers (the table row's). */
function showDistrictPopup(e) {
  popup?.remove();
  popup = null;
  if (!map.getLayer('pl-district-fill')) return;
  const hit = map.queryRenderedFeatures(e.point, { layers: ['pl-district-fill'] });
  if (!hit.length) return;
  const id = hit[0].properties.id;
  const r = rows().find((x) => x.id === id);
  if (!r) return;
  const box = document.createElement('div');
  const h = document.createElement('h3');
  h.textContent = r.district;
  const p = document.createElement('p');
  p.textContent = t('map.popup', {
    share: fmtShare(r.share), covered: fmtInt(r.covered), addresses: fmtInt(r.addresses), median: fmtMinutes(r.median_s),
  });
  box.append(h, p);
  popup = new Popup({ closeButton: true, focusAfterOpen: false, maxWidth: '18rem' })
    .setLngLat(e.lngLat).setDOMContent(box).addTo(map);
}

/** Resolves when the map has drawn everything it has (tests use it). */
window.app.idle = () => new Promise((ok) => {
  if (map.loaded() && map.areTilesLoaded() && !map.isMoving()) ok();
  else map.once('idle', ok);
});

/** Resolves when no coverage or scenario request is pending. */
window.app.settled = async () => {
  while (questionBusy || scenarioBusy) await new Promise((ok) => setTimeout(ok, 25));
};

// ---------------------------------------------------------------------------------------------
// Controls

function buildControls() {
  const kind = $('kind');
  const groups = document.createElement('optgroup');
  groups.label = t('question.groups');
  for (const g of GROUPS) groups.append(new Option(t(`question.${g}`), g));
  const single = document.createElement('optgroup');
  single.label = t('question.kinds');
  for (const k of KINDS) single.append(new Option(t(`kinds.${k}`), k));
  kind.replaceChildren(groups, single);
  if (![...GROUPS, ...KINDS].includes(state.kind)) groups.append(new Option(kindLabel(state.kind), state.kind));
  kind.value = state.kind;
  kind.addEventListener('change', () => {
    state.kind = kind.value;
    state.remove = [];
    renderScenarioLists();
    questionChanged();
  });

  const minutes = $('minutes');
  minutes.value = String(state.minutes);
  let timer = null;
  const readMinutes = (commit) => {
    const v = Number(minutes.value);
    const ok = minutes.value.trim() !== '' && Number.isInteger(v) && v >= 1 && v <= MAX_MINUTES;
    minutes.setAttribute('aria-invalid', String(!ok));
    const err = $('minutes-error');
    err.hidden = ok;
    err.textContent = ok ? '' : t('question.minutes_invalid');
    if (!ok || v === state.minutes) return;
    clearTimeout(timer);
    const apply = () => {
      state.minutes = v;
      questionChanged();
    };
    if (commit) apply();
    else timer = setTimeout(apply, 500);
  };
  minutes.setAttribute('aria-invalid', 'false');
  minutes.addEventListener('input', () => readMinutes(false));
  minutes.addEventListener('change', () => readMinutes(true));

  const profiles = $('profiles');
  profiles.replaceChildren(...PROFILES.map((p) => {
    const label = document.createElement('label');
    label.className = 'choice';
    const input = document.createElement('input');
    input.type = 'radio';
    input.name = 'profile';
    input.value = p;
    input.checked = p === state.profile;
    input.addEventListener('change', () => {
      if (!input.checked) return;
      state.profile = p;
      questionChanged();
    });
    const span = document.createElement('span');
    span.textContent = t(`profile.${p}`);
    label.append(input, span);
    return label;
  }));
  $('question').addEventListener('submit', (e) => e.preventDefault());

  $('show-hex').checked = state.hex;
  $('show-hex').addEventListener('change', () => {
    state.hex = $('show-hex').checked;
    writeUrl();
    applyHexVisibility();
    renderLegend();
  });

  const contrast = $('contrast');
  contrast.setAttribute('aria-pressed', String(state.contrast === 'high'));
  contrast.addEventListener('click', () => setContrast(state.contrast === 'high' ? null : 'high'));

  $('scenario-toggle').addEventListener('click', () => setScenarioMode(!state.scenario));
  $('add-center').addEventListener('click', () => {
    const c = map.getCenter();
    addProposal([c.lng, c.lat]);
  });
  $('close-selected').addEventListener('click', () => {
    const id = Number($('close-select').value);
    if (!id) {
      $('close-select').focus();
      return;
    }
    closeFacility(id);
    $('close-select').focus();
  });
  $('scenario-reset').addEventListener('click', () => {
    for (const p of proposals) p.marker.remove();
    proposals = [];
    state.remove = [];
    writeUrl();
    pushFacilities();
    renderScenarioLists();
    renderFacilityChoices();
    announce(t('scenario.cleared'));
    $('add-center').focus();
    runScenario().then(renderAll);
  });

  const list = $('lang-list');
  list.replaceChildren(...Object.entries(languages).map(([code, name]) => {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.hreflang = code;
    a.lang = code;
    a.textContent = name;
    if (code === (strings._meta?.code ?? DEFAULT.lang)) a.setAttribute('aria-current', 'true');
    li.append(a);
    return li;
  }));
}

/** The high-contrast switch: the page's colours, the basemap, and the overlay drawn anew on it. */
function setContrast(value) {
  state.contrast = value;
  $('contrast').setAttribute('aria-pressed', String(value === 'high'));
  document.body.classList.toggle('high-contrast', value === 'high');
  writeUrl();
  if (!map) return;
  styleReady = new Promise((ok) => map.once('style.load', ok)).then(() => {
    addOverlay();
    pushDistricts();
  });
  window.app.styleReady = styleReady;
  map.setStyle(styleUrl(), { diff: false });
  announce(t(value === 'high' ? 'layers.contrast_on' : 'layers.contrast_off'));
}

function questionChanged() {
  writeUrl();
  loadQuestion();
}

// ---------------------------------------------------------------------------------------------
// Start

async function start() {
  if (!state.contrast && !new URLSearchParams(location.search).has('contrast')
      && matchMedia('(prefers-contrast: more)').matches) state.contrast = 'high';
  document.body.classList.toggle('high-contrast', state.contrast === 'high');
  state.lang = await loadStrings(state.lang);
  document.title = t('page.title');
  applyStatic();
  buildControls();
  writeUrl();
  createMap();
  for (const lngLat of state.add) {
    const n = ++proposalSeq;
    const p = { n, lngLat };
    p.marker = makeMarker(p);
    proposals.push(p);
  }
  setScenarioMode(state.scenario, { quiet: true });
  renderScenarioLists();
  const districts = loadDistricts().catch((e) => {
    $('status').textContent = t('results.failed', { detail: e.message });
  });
  await Promise.all([districts, styleReady, loadQuestion()]);
  addOverlay();
  if (!state.center) {
    const b = districtBounds();
    if (b) map.fitBounds(b, { padding: 16, animate: false });
  }
  renderAll();
  resolveReady();
}

start().catch((e) => {
  console.error(e);
  $('status').textContent = String(e.message ?? e);
});
