// What the planners' map draws on the basemap: the districts of the chosen level coloured by
// share (a pattern on the two lowest classes, the percentage as a label), the boundary of the
// district opened, the coverage hexagons (gaps), the facilities of the kind (closed ones
// marked), or a nature question's areas (./nature.js; new areas: ./areas.js); a district's
// numbers in a popup; the legend.

import { $, h } from '../kit/dom.js';
import { abs } from '../kit/base.js';
import { t } from '../kit/i18n.js';
import { Popup, setVisible } from '../kit/map.js';
import { legendItem } from '../kit/legend.js';
import { EMPTY } from '../kit/domain.js';
import { page } from './context.js';
import { coverageQuery } from './url.js';
import { fmtInt, fmtShare, fmtMinutes, facilityName } from './format.js';
import { rows } from './table.js';
import { parentName } from './levels.js';
import { addNatureOverlay, natureLegend } from './nature.js';

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
    fillOpacity: 0.5, hexLine: '#2a0054', hexLineWidth: 0.6, parentLine: '#123b5e', parentLineWidth: 3,
    facility: '#123b5e', facilityStroke: '#ffffff', closed: '#a50f15',
  },
  'high-contrast': {
    districtLine: '#000000', districtLineWidth: ['interpolate', ['linear'], ['zoom'], 11, 1.6, 15, 3.2],
    label: '#000000', labelHalo: '#ffffff', labelHaloWidth: 2.6,
    labelSize: ['interpolate', ['linear'], ['zoom'], 11, 12.5, 15, 15],
    fillOpacity: 0.6, hexLine: '#000000', hexLineWidth: 1, parentLine: '#000000', parentLineWidth: 4,
    facility: '#000000', facilityStroke: '#ffffff', closed: '#8a0010',
  },
};
const theme = () => THEME[page.state.contrast === 'high' ? 'high-contrast' : 'default'];

function classOf(share) {
  if (share == null || !Number.isFinite(share)) return -1;
  return CLASSES.findIndex((c) => share < c.below);
}

/** The outer ring's area in square degrees (only to compare the parts of one district). */
function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return Math.abs(a / 2);
}

/** A district's biggest part: one label per district, not one on every islet of a MultiPolygon. */
function labelGeometry(g) {
  if (g?.type !== 'MultiPolygon' || !g.coordinates.length) return g;
  let best = g.coordinates[0];
  for (const part of g.coordinates) if (ringArea(part[0]) > ringArea(best[0])) best = part;
  return { type: 'Polygon', coordinates: best };
}

const labelParts = new WeakMap(); // a district feature → its label geometry

/** The districts shown (the chosen level, inside the parent), with their class and label. */
function districtFeatures({ labels = false } = {}) {
  const { scenario } = page;
  const byId = new Map(rows().map((r) => [r.id, r]));
  return {
    type: 'FeatureCollection',
    features: (page.districtsGeo.features ?? []).map((f) => {
      const id = f.id ?? f.properties?.id;
      const r = byId.get(id);
      const before = r?.share ?? null;
      const shown = scenario ? r?.share_after ?? null : before;
      let label = shown == null ? '' : fmtShare(shown, 0);
      if (scenario && before != null && shown != null && r.covered_after !== r.covered) {
        label = `${fmtShare(before, 0)} → ${fmtShare(shown, 0)}`;
      }
      const name = f.properties?.name ?? r?.district ?? '';
      if (labels && !labelParts.has(f)) labelParts.set(f, labelGeometry(f.geometry));
      return {
        type: 'Feature',
        geometry: labels ? labelParts.get(f) : f.geometry,
        // The lowest shares are placed first when labels collide (the gaps are what planners look for).
        properties: { id, name, cls: classOf(shown), label, label_long: label ? `${name}\n${label}` : name, rank: shown ?? 2 },
      };
    }),
  };
}

export function pushDistricts() {
  const { map } = page;
  map?.getSource('pl-districts')?.setData(districtFeatures());
  map?.getSource('pl-district-labels')?.setData(districtFeatures({ labels: true }));
  const parent = page.chain.at(-1);
  map?.getSource('pl-parent')?.setData(parent?.geometry ? { type: 'Feature', geometry: parent.geometry, properties: {} } : EMPTY);
}

/** The id of the district drawn at this point of the map, or null. */
export function districtAt(point) {
  const { map } = page;
  if (!map?.getLayer('pl-district-fill')) return null;
  return map.queryRenderedFeatures(point, { layers: ['pl-district-fill'] })[0]?.properties.id ?? null;
}

export function pushFacilities() {
  const { state } = page;
  const closed = new Set(state.remove);
  page.map?.getSource('pl-facilities')?.setData({
    type: 'FeatureCollection',
    features: page.facilities.map((f) => ({
      type: 'Feature',
      id: f.id,
      geometry: f.geometry,
      properties: { id: f.id, name: facilityName(f), closed: state.scenario && closed.has(f.id) },
    })),
  });
}

const hexUrl = () => abs(`/tiles/coverage.json?${coverageQuery({}, { where: false })}`);

export function updateHexSource() {
  const src = page.map?.getSource('pl-hex');
  if (src && src.url !== hexUrl()) src.setUrl(hexUrl());
  applyHexVisibility();
}

export function applyHexVisibility() {
  const { map, state } = page;
  if (!map?.getLayer('pl-hex-fill')) return;
  setVisible(map, ['pl-hex-fill', 'pl-hex-line'], state.hex);
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
      if (on) data.set([40, 20, 10, 200], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

/** A label layer: `text` from the source, in the theme's halo. */
const labelLayer = (id, source, filter, layout, colour, halo = '#ffffff') => ({
  id, type: 'symbol', source, filter, layout,
  paint: { 'text-color': colour, 'text-halo-color': halo, 'text-halo-width': theme().labelHaloWidth },
});

/** Puts the overlay on the style (once per style: after a theme switch again). */
export function addOverlay() {
  const { map } = page;
  if (map.getSource('pl-districts')) return; // already on this style
  const o = theme();
  const firstSymbol = map.getStyle().layers.find((l) => l.type === 'symbol')?.id;
  setVisible(map, ['facilities', 'facility-label'], false);
  if (!map.hasImage('pl-hatch')) map.addImage('pl-hatch', patternImage('hatch'));
  if (!map.hasImage('pl-dots')) map.addImage('pl-dots', patternImage('dots'));

  map.addSource('pl-districts', { type: 'geojson', data: districtFeatures() });
  map.addSource('pl-district-labels', { type: 'geojson', data: districtFeatures({ labels: true }) });
  map.addSource('pl-parent', { type: 'geojson', data: EMPTY });
  map.addSource('pl-hex', { type: 'vector', url: hexUrl() });
  map.addSource('pl-facilities', { type: 'geojson', data: EMPTY });

  const gaps = () => ({ source: 'pl-hex', 'source-layer': 'coverage', filter: ['>', ['get', 'uncovered'], 0], layout: { visibility: 'none' } });
  const under = [
    { id: 'pl-district-fill', type: 'fill', source: 'pl-districts',
      paint: { 'fill-color': ['match', ['get', 'cls'], ...CLASSES.flatMap((c, i) => [i, c.colour]), NO_DATA], 'fill-opacity': o.fillOpacity } },
    { id: 'pl-district-pattern', type: 'fill', source: 'pl-districts', filter: ['in', ['get', 'cls'], ['literal', [0, 1]]],
      paint: { 'fill-pattern': ['match', ['get', 'cls'], 0, 'pl-hatch', 'pl-dots'] } },
    { id: 'pl-hex-fill', type: 'fill', ...gaps(),
      paint: {
        'fill-color': ['interpolate', ['linear'], ['get', 'share'], 0, '#3f007d', 0.5, '#6a51a3', 0.9, '#9e9ac8', 1, '#dadaeb'],
        'fill-opacity': 0.72,
      } },
    { id: 'pl-hex-line', type: 'line', ...gaps(), paint: { 'line-color': o.hexLine, 'line-width': o.hexLineWidth } },
    { id: 'pl-district-line', type: 'line', source: 'pl-districts', paint: { 'line-color': o.districtLine, 'line-width': o.districtLineWidth } },
    // The district the page shows the inside of: its boundary, wide and dashed.
    { id: 'pl-parent-line', type: 'line', source: 'pl-parent',
      paint: { 'line-color': o.parentLine, 'line-width': o.parentLineWidth, 'line-dasharray': [2, 1.5] } },
  ];
  for (const layer of under) map.addLayer(layer, firstSymbol);
  // A nature question's areas: over the shares' colours, under the district outlines.
  addNatureOverlay(map, 'pl-district-line');
  map.addLayer({
    id: 'pl-facility', type: 'circle', source: 'pl-facilities',
    paint: {
      'circle-radius': ['interpolate', ['linear'], ['zoom'], 11, 3, 14, 5.5, 17, 8],
      'circle-color': ['case', ['get', 'closed'], '#ffffff', o.facility],
      'circle-stroke-color': ['case', ['get', 'closed'], o.closed, o.facilityStroke],
      'circle-stroke-width': ['case', ['get', 'closed'], 3, 1.5],
    },
  });
  // Labels never overlap: MapLibre drops those that collide (no text-allow-overlap), the
  // lowest shares first in line; the table has every district.
  map.addLayer(labelLayer('pl-district-label', 'pl-district-labels', ['!=', ['get', 'label'], ''], {
    'text-field': ['step', ['zoom'], ['get', 'label'], 15, ['get', 'label_long']],
    'text-font': ['Noto Sans Bold'], 'text-size': o.labelSize, 'text-padding': 3, 'text-max-width': 10,
    'symbol-sort-key': ['get', 'rank'],
  }, o.label, o.labelHalo));
  const facilityLabel = { 'text-size': 11, 'text-anchor': 'top', 'text-offset': [0, 0.8] };
  map.addLayer(labelLayer('pl-facility-closed-label', 'pl-facilities', ['==', ['get', 'closed'], true], {
    'text-field': t('facility.closed_label'), 'text-font': ['Noto Sans Bold'], ...facilityLabel, 'text-allow-overlap': true,
  }, o.closed));
  map.addLayer({
    ...labelLayer('pl-facility-label', 'pl-facilities', ['!=', ['get', 'closed'], true], {
      'text-field': ['get', 'name'], 'text-font': ['Noto Sans Regular'], ...facilityLabel, 'text-max-width': 8, 'text-optional': true,
    }, o.facility),
    minzoom: 15,
  });
  pushFacilities();
  applyHexVisibility();
}

let popup = null;

export function closePopup() {
  popup?.remove();
  popup = null;
}

/** Outside scenario mode a click on a district shows its numbers (the table row's). */
export function showDistrictPopup(e) {
  const { map } = page;
  closePopup();
  if (!map.getLayer('pl-district-fill')) return;
  const hit = map.queryRenderedFeatures(e.point, { layers: ['pl-district-fill'] });
  if (!hit.length) return;
  const id = hit[0].properties.id;
  const r = rows().find((x) => x.id === id);
  if (!r) return;
  const box = h('div', {},
    h('h3', { textContent: r.district }),
    h('p', {
      textContent: t('map.popup', {
        share: fmtShare(r.share), covered: fmtInt(r.covered), addresses: fmtInt(r.addresses), median: fmtMinutes(r.median_s),
      }),
    }));
  popup = new Popup({ closeButton: true, focusAfterOpen: false, maxWidth: '18rem' })
    .setLngLat(e.lngLat).setDOMContent(box).addTo(map);
}

/** The legend below the map: the share classes (with their patterns), then the other marks. */
export function renderLegend() {
  const { state, scenario } = page;
  $('legend-share').textContent = t(scenario ? 'legend.share_after' : 'legend.share', { minutes: state.minutes });
  let from = 0;
  $('legend-classes').replaceChildren(...CLASSES.map((c, i) => {
    let text;
    if (i === 0) text = t('legend.below', { to: fmtShare(c.below, 0) });
    else if (c.below === Infinity) text = t('legend.all', { to: fmtShare(1, 0) });
    else text = t('legend.range', { from: fmtShare(from, 0), to: fmtShare(c.below, 0) });
    if (c.pattern) text += ` (${t(c.pattern === 'pl-hatch' ? 'legend.hatched' : 'legend.dotted')})`;
    from = c.below;
    const li = legendItem(`swatch class-${i}`, text);
    li.firstChild.style.backgroundColor = c.colour; // the colour only: the class draws the pattern
    return li;
  }));
  const other = [];
  if (page.chain.length) other.push(['parent', t('legend.parent', { parent: parentName() })]);
  if (state.hex) other.push(['hex', t('legend.hex')]);
  const nature = natureLegend();
  if (nature) other.push(nature);
  else other.push(['facility', t('legend.facility')]);
  if (state.scenario && nature) other.push(['area', t('legend.area')]);
  else if (state.scenario) other.push(['closed', t('legend.closed')], ['proposed', t('legend.proposed')]);
  $('legend-other').replaceChildren(...other.map(([cls, text]) => legendItem(`swatch ${cls}`, text)));
  renderHexText();
}

/**
 * The hexagons in words (their text equivalent): how many homes are beyond the walking time,
 * and the areas with the most of them (the table has every area).
 */
function renderHexText() {
  const el = $('legend-hex-text');
  if (!el) return;
  const { state } = page;
  const gaps = state.hex ? rows().map((r) => ({ name: r.district, n: (r.addresses ?? 0) - (r.covered ?? 0) }))
    .filter((r) => r.n > 0).sort((a, b) => b.n - a.n) : [];
  el.hidden = !state.hex;
  if (!state.hex) return;
  const total = gaps.reduce((sum, r) => sum + r.n, 0);
  el.textContent = total
    ? t('legend.hex_text', {
      count: total, total: fmtInt(total), minutes: state.minutes,
      places: gaps.slice(0, 3).map((r) => t('legend.hex_place', { name: r.name, count: r.n, n: fmtInt(r.n) })).join(', '),
    })
    : t('legend.hex_none', { minutes: state.minutes });
}
