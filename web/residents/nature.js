// Nature near home (issue 22): the «Natur» part of the list and «Vis natur på kartet».
//
// The list part: the nearest park or green area, forest edge and shore of /api/reach's
// `nature` (one feature per class at most, reached at the area's edge), each with its walking
// time and distance, or «Du er i et grøntområde» when the point is inside it; a class the walk
// does not reach says so. Where the nearest green area is smaller than the planners' green
// question counts (0.5 ha), the API sends the nearest that counts after it (`nearest_for:
// "green"`): its own row, «Nærmeste grøntområde på minst 0,5 ha», right after the small one.
// Each row's button shows the area's point on the map (the overlay's `nature-chosen` layers,
// ./overlay.js), brings the map into view when it is off screen (one column, a narrow
// screen), and says what it is; focus stays on the button.
//
// The map layer: the basemap style's own nature layers (tools/make-styles.mjs: source `nature`,
// /tiles/nature.json; green and forest polygons, water and beaches as polygons, rivers and the
// coast as lines, bathing places as points; over the land use and water, under the roads and
// labels, in the theme's colours), hidden in the style and shown while the switch is on (the
// `nature=1` URL parameter): ./overlay.js sets them as the style arrives, `applyNatureLayers`
// when the switch changes.

import { $, h, mark, announce } from '../kit/dom.js';
import { t, has, freeLang, formatDistance, formatNumber } from '../kit/i18n.js';
import { listSection } from '../kit/list.js';
import { legendItem } from '../kit/legend.js';
import { setVisible } from '../kit/map.js';
import { page, markRows } from './context.js';
import { setSelected, NATURE_LAYERS } from './overlay.js';

/** The classes of /api/reach's `nature`, in the list's order. */
export const NATURE_CLASSES = ['green', 'forest', 'shore'];

/** The style's nature layers shown or hidden as the switch says (after a theme switch too: main.js calls it on 'style.load'). */
export function applyNatureLayers() {
  const { map, state } = page;
  if (map) setVisible(map, NATURE_LAYERS, state.nature);
}

/** What the nature layer's colours mean, for the map's legend (none while it is off). */
export function natureLegendItems() {
  if (!page.state.nature) return [];
  return NATURE_CLASSES.map((c) => legendItem(`swatch swatch-nature nature-${c}`, t(`legend.nature_${c}`)));
}

/** «Park», «Elv»: what the OSM tag (`leisure=park`) says the area is, or null. */
function tagLabel(tag) {
  const key = `nature.tag.${String(tag ?? '').replace(/[^a-z_=]/g, '').replace('=', '_')}`;
  return tag && has(key) ? t(key) : null;
}

const classLabel = (cls) => (has(`nature.class.${cls}`) ? t(`nature.class.${cls}`) : cls);

/** The row's name: the area's own name, else what its tag says, else its class. */
const nameOf = (p) => p.name || tagLabel(p.tag) || classLabel(p.class);

// The least size of the planners' question each class answers (src/domain/nature.rs
// NatureTarget: «Grøntområde på minst 0,5 ha», «Skogkanten» of a forest of at least 0.5 ha).
const QUESTION = { green: ['green', 0.5], forest: ['forest', 0.5] };

/**
 * «liten park, under 0,5 ha»: an area smaller than the planners' question of its class counts
 * (/api/reach's `answers` lacks it), so that the list does not contradict the planners' figures;
 * null otherwise, and for a server without `answers`.
 */
function smallNote(p) {
  const [question, min] = QUESTION[p.class] ?? [];
  if (!question || !Array.isArray(p.answers) || p.answers.includes(question)) return null;
  const what = p.class === 'forest' ? 'forest' : p.tag === 'leisure=park' ? 'park' : 'green';
  return t(`nature.small.${what}`, { min: formatNumber(min) });
}

/**
 * What a row is: its class («Park og grøntområde»), or for the nearest area that counts for a
 * planners' question (`nearest_for`) what it is the nearest of («Nærmeste grøntområde på
 * minst 0,5 ha»). `short`: the same in the middle of a sentence.
 */
function kindOf(p, { short = false } = {}) {
  const [, min] = QUESTION[p.nearest_for] ?? [];
  if (p.nearest_for && has(`nature.nearest_for.${p.nearest_for}`)) {
    return t(`nature.nearest_for${short ? '_short' : ''}.${p.nearest_for}`, { min: formatNumber(min ?? 0.5) });
  }
  return classLabel(p.class);
}

/** The features of /api/reach's `nature` as list rows: the nearest of each class, the nearest that counts after its class. */
function rowFeatures(features) {
  return NATURE_CLASSES.flatMap((cls) => {
    const f = features.find((x) => x.properties?.class === cls && !x.properties.nearest_for);
    const counted = features.filter((x) => x.properties?.nearest_for === cls);
    return [f ?? cls, ...counted];
  });
}

/** One nearest area: its class, its name (a button that shows it on the map), how far, how long. */
function natureRow(f) {
  const p = f.properties;
  const area = p.area_ha != null
    && t('nature.area', { area: formatNumber(p.area_ha, { maximumFractionDigits: p.area_ha < 1 ? 2 : p.area_ha < 10 ? 1 : 0 }) });
  const facts = p.inside ? [t(`nature.inside.${p.class}`), smallNote(p), area]
    : [formatDistance(p.distance_m), p.name && tagLabel(p.tag), smallNote(p), area];
  const dataset = { natureId: String(f.id), natureClass: p.class };
  if (p.nearest_for) dataset.natureFor = p.nearest_for;
  return h('li', { className: p.nearest_for ? 'result result-nature result-nature-counted' : 'result result-nature', dataset },
    mark(`nature-mark nature-${p.class}`),
    h('div', { className: 'result-body' },
      h('span', { className: 'result-kind', textContent: kindOf(p) }),
      h('button', {
        type: 'button', className: 'result-name',
        on: { click: () => selectNature(f.id, { from: 'list', nearestFor: p.nearest_for ?? null }) },
      }, h('span', { lang: p.name ? freeLang() : null, textContent: nameOf(p) }),
      h('span', { className: 'visually-hidden', textContent: ` (${t('nature.show')})` })),
      h('span', { className: 'result-meta' }, facts.filter(Boolean).join(' · '))),
    h('span', {
      className: 'result-minutes', textContent: t('list.minutes', { count: p.walk_minutes }),
      dataset: { minutes: String(p.walk_minutes) },
    }));
}

/** A class the walk does not reach. */
const noneRow = (cls) => h('li', { className: 'result result-nature result-nature-none', dataset: { natureNone: cls } },
  mark(`nature-mark nature-${cls}`),
  h('div', { className: 'result-body' },
    h('span', { className: 'result-kind', textContent: classLabel(cls) }),
    h('span', { className: 'result-meta', textContent: t(`nature.none.${cls}`, { minutes: page.state.minutes }) })));

/** The «Natur» part of the list, or null when the API gives no nature (an older server). */
export function natureSection() {
  const features = page.reach?.nature?.features;
  if (!Array.isArray(features)) return null;
  const rows = rowFeatures(features).map((f) => (typeof f === 'string' ? noneRow(f) : natureRow(f)));
  return listSection('list-section list-nature', 'list-nature', t('nature.heading'),
    h('p', { className: 'hint', textContent: t('nature.intro', { minutes: page.state.minutes }) }), rows, '');
}

/** The row of a selected nature item: the nearest of its class, or the nearest that counts (`nearestFor`). */
export function natureRowOf({ id, nearestFor = null }) {
  const key = `.result[data-nature-id="${CSS.escape(String(id))}"]`;
  return document.querySelector(nearestFor ? `${key}[data-nature-for="${CSS.escape(nearestFor)}"]` : `${key}:not([data-nature-for])`);
}

const reducedMotion = () => matchMedia('(prefers-reduced-motion: reduce)').matches;

/**
 * Brings the map into view when the list is below it (one column, a narrow screen) and the
 * map is off screen: a point shown there must be seen. Focus stays where it is.
 */
function revealMap() {
  const area = document.querySelector('.map-area');
  if (!area) return;
  const r = area.getBoundingClientRect();
  if (r.height === 0 || (r.top >= 0 && r.bottom <= window.innerHeight)) return;
  // Partly in view and taller than the window: enough of it is seen.
  if (r.height > window.innerHeight && r.top < window.innerHeight / 2 && r.bottom > window.innerHeight / 2) return;
  area.scrollIntoView({ block: 'start', behavior: reducedMotion() ? 'auto' : 'smooth' });
}

/** Shows a nearest area's point on the map (from the list: the map goes there, and into view) and says what it is. */
export function selectNature(id, { from, nearestFor = null }) {
  const features = page.reach?.nature?.features ?? [];
  const f = features.find((x) => x.id === id && (x.properties?.nearest_for ?? null) === nearestFor)
    ?? features.find((x) => x.id === id);
  if (!f) return;
  const p = f.properties;
  page.selected = { type: 'nature', id, nearestFor: p.nearest_for ?? null, label: nameOf(p) };
  setSelected(page.selected);
  const row = natureRowOf(page.selected);
  markRows(row ? [row] : []);
  const { map } = page;
  if (from !== 'map' && f.geometry) map.easeTo({ center: f.geometry.coordinates, zoom: Math.max(map.getZoom(), 16) });
  if (from === 'map') {
    row?.scrollIntoView({ block: 'nearest' });
    row?.querySelector('button')?.focus();
  } else revealMap();
  // «Skog (Skog)» says nothing more: the kind only when the name is not it.
  const name = nameOf(p);
  const kind = kindOf(p, { short: true });
  const key = p.inside ? 'nature.selected_inside' : 'nature.selected';
  announce(t(name === kind ? `${key}_plain` : key, {
    name, kind, minutes: p.walk_minutes, count: p.walk_minutes, distance: formatDistance(p.distance_m),
  }));
}

/** The switch «Vis natur på kartet» (in «Vis i kartet»): `changed()` writes the URL and the legend. */
export function wireNatureSwitch(changed) {
  const box = $('layer-nature');
  if (!box) return;
  box.checked = page.state.nature;
  box.addEventListener('change', () => {
    page.state.nature = box.checked;
    applyNatureLayers();
    changed();
  });
}
