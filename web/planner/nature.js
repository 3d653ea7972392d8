// Nature questions on the planners' page (issue 22): the «Natur» group of the question chooser
// (a green area or forest of at least 0.5 ha, the WHO guideline's proxy; at least 1 ha; the
// forest edge; a shore, beach or bathing place), sent as `nature=` instead of `kind=`, their
// words, and on the map the areas that count for the chosen question (the basemap style's
// `nature` source, /tiles/nature.json, filtered as the API counts them: src/domain/nature.rs
// NatureTarget; the page's own layers, in its colours) with a legend entry.

import { t } from '../kit/i18n.js';
import { abs } from '../kit/base.js';
import { setVisible } from '../kit/map.js';
import { page } from './context.js';
import { NATURE } from './url.js';
import { kindLabel } from './format.js';

/** The chooser's value for a nature question («nature:green»), and back. */
export const natureOption = (n) => `nature:${n}`;
export const natureOf = (value) => (value?.startsWith('nature:') && NATURE.includes(value.slice(7)) ? value.slice(7) : null);

/** What the question asks about: «Grøntområde på minst 0,5 ha (WHO)», or the kind's name. */
export const questionLabel = () => (page.state.nature ? t(`nature.${page.state.nature}`) : kindLabel(page.state.kind));

/** The hint under the chooser: what the nature question counts, or the nærmiljøanlegg group; '' for none. */
export function questionHint() {
  const { state } = page;
  if (state.nature) return t(`question.nature_hint.${state.nature}`);
  return state.kind.split(',').includes('naermiljoanlegg') ? t('question.kind_hint') : '';
}

// Which areas of the tiles count, per question: green and forest of at least 0.5 ha (1 ha),
// forest of at least 0.5 ha, and every shore (water, rivers, the coast, beaches, bathing places).
const GREEN = ['in', ['get', 'class'], ['literal', ['green', 'forest']]];
const atLeast = (ha) => ['>=', ['coalesce', ['get', 'area_ha'], 0], ha];
const COUNTS = {
  green: ['all', GREEN, atLeast(0.5)],
  green_1ha: ['all', GREEN, atLeast(1)],
  forest: ['all', ['==', ['get', 'class'], 'forest'], atLeast(0.5)],
  shore: ['==', ['get', 'class'], 'shore'],
};
const geometry = (...types) => ['match', ['geometry-type'], types, true, false];
const LAYERS = ['pl-nature-fill', 'pl-nature-line', 'pl-nature-point'];

// Colours apart from the share classes (red, orange, yellow, light and dark blue): green areas
// a strong green, water a dark navy with a solid edge; black edges in high contrast.
const COLOURS = {
  default: { green: '#1a9850', greenEdge: '#00441b', water: '#081d58', edgeWidth: 1.2 },
  'high-contrast': { green: '#007a33', greenEdge: '#000000', water: '#000066', edgeWidth: 2 },
};
const colours = () => COLOURS[page.state.contrast === 'high' ? 'high-contrast' : 'default'];

/**
 * Puts the nature layers on the style, under `before` (the district outlines stay on top): on
 * the basemap style's own `nature` source (tools/make-styles.mjs), or one of their own.
 */
export function addNatureOverlay(map, before) {
  let source = 'nature';
  if (!map.getSource(source)) {
    source = 'pl-nature';
    map.addSource(source, { type: 'vector', url: abs('/tiles/nature.json') });
  }
  const base = { source, 'source-layer': 'nature', layout: { visibility: 'none' } };
  map.addLayer({ id: 'pl-nature-fill', type: 'fill', ...base, filter: geometry('Polygon', 'MultiPolygon'), paint: { 'fill-opacity': 0.5 } }, before);
  map.addLayer({ id: 'pl-nature-line', type: 'line', ...base, paint: {} }, before);
  map.addLayer({ id: 'pl-nature-point', type: 'circle', ...base, filter: geometry('Point', 'MultiPoint'),
    paint: { 'circle-radius': 5, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 } }, before);
  applyNatureOverlay();
}

/** Shows the areas that count for the nature question (none for a kind question). */
export function applyNatureOverlay() {
  const { map, state } = page;
  if (!map?.getLayer('pl-nature-fill')) return;
  setVisible(map, LAYERS, Boolean(state.nature));
  if (!state.nature) return;
  const c = colours();
  const shore = state.nature === 'shore';
  const counts = COUNTS[state.nature];
  map.setFilter('pl-nature-fill', ['all', geometry('Polygon', 'MultiPolygon'), counts]);
  map.setFilter('pl-nature-line', counts);
  map.setFilter('pl-nature-point', ['all', geometry('Point', 'MultiPoint'), counts]);
  map.setPaintProperty('pl-nature-fill', 'fill-color', shore ? c.water : c.green);
  map.setPaintProperty('pl-nature-fill', 'fill-opacity', shore ? 0.35 : 0.5);
  map.setPaintProperty('pl-nature-line', 'line-color', shore ? c.water : c.greenEdge);
  // Rivers and the coast are lines: wide enough to see; area edges thin.
  map.setPaintProperty('pl-nature-line', 'line-width', ['match', ['geometry-type'], ['LineString', 'MultiLineString'], 3, c.edgeWidth]);
  map.setPaintProperty('pl-nature-point', 'circle-color', c.water);
}

/** The legend's entry for the areas on the map: [swatch class, text], or null for a kind question. */
export function natureLegend() {
  const n = page.state.nature;
  return n ? [n === 'shore' ? 'nature-water' : 'nature-green', t(`legend.nature.${n}`)] : null;
}
