// The small map: the district's outline on the basemap (and, when comparing, the other
// district's as a dashed line), with a legend in words. Nothing on it is only on it: the page's
// text says it all. When the map cannot be drawn (no WebGL, no outline), the page says so and
// goes on without it. For print, the drawn map becomes a picture (a WebGL canvas prints blank).

import { $, h } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t } from '../kit/i18n.js';
import { createMap, nextStyleLoad, styleUrl, themeOf, boundsOf } from '../kit/map.js';
import { EMPTY } from '../kit/domain.js';
import { page } from './context.js';

const THEME = {
  default: { main: '#0b4f8a', mainWidth: 3, fill: '#0b4f8a', fillOpacity: 0.12, compare: '#7a1f5c', compareWidth: 3 },
  'high-contrast': { main: '#000000', mainWidth: 4, fill: '#000000', fillOpacity: 0.08, compare: '#000000', compareWidth: 4 },
};

const collection = (f) => (f ? { type: 'FeatureCollection', features: [f] } : EMPTY);

/** The district's outline as a GeoJSON feature (cached), or null when it cannot be had. */
export async function featureOf(id) {
  if (page.features.has(id)) return page.features.get(id);
  const r = await fetch(at(`/api/collections/districts/items/${encodeURIComponent(id)}`));
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const f = await r.json();
  page.features.set(id, f);
  return f;
}

function addLayers() {
  const map = page.map;
  const theme = THEME[themeOf(map.getStyle())];
  if (!map.getSource('d-main')) map.addSource('d-main', { type: 'geojson', data: collection(page.features.get(page.state.id)) });
  if (!map.getSource('d-compare')) map.addSource('d-compare', { type: 'geojson', data: EMPTY });
  if (!map.getLayer('d-main-fill')) {
    map.addLayer({ id: 'd-main-fill', type: 'fill', source: 'd-main', paint: { 'fill-color': theme.fill, 'fill-opacity': theme.fillOpacity } });
  }
  if (!map.getLayer('d-compare-line')) {
    map.addLayer({
      id: 'd-compare-line', type: 'line', source: 'd-compare',
      paint: { 'line-color': theme.compare, 'line-width': theme.compareWidth, 'line-dasharray': [2, 1.5] },
    });
  }
  if (!map.getLayer('d-main-line')) {
    map.addLayer({ id: 'd-main-line', type: 'line', source: 'd-main', paint: { 'line-color': theme.main, 'line-width': theme.mainWidth } });
  }
  showCompare();
}

function failed(reason) {
  console.warn('map:', reason);
  $('map').hidden = true;
  $('map-legend').hidden = true;
  $('map-status').textContent = t('map.failed'); // a live region that was there, empty, from the start
}

/** Starts the map around the district. Resolves when it has drawn (or could not). */
export async function startMap() {
  $('map-box').hidden = false;
  let feature;
  try {
    feature = await featureOf(page.state.id);
  } catch (e) {
    failed(e);
    return;
  }
  const bounds = boundsOf([feature]);
  try {
    page.map = createMap({
      contrast: page.state.contrast,
      view: {},
      scrollZoom: false,
      canvasContextAttributes: { preserveDrawingBuffer: true },
      ...(bounds ? { bounds, fitBoundsOptions: { padding: 16 } } : {}),
    });
  } catch (e) {
    failed(e);
    return;
  }
  page.map.on('style.load', addLayers);
  renderLegend();
  await new Promise((ok) => {
    page.map.once('idle', ok);
    page.map.once('error', ok);
  });
}

/** Draws the compared district's outline (or none) and fits the view to what is shown. */
export function showCompare() {
  const map = page.map;
  if (!map?.getSource('d-compare')) return;
  const other = page.compare ? page.features.get(page.compare.district.id) : null;
  map.getSource('d-compare').setData(collection(other));
  const shown = [page.features.get(page.state.id), other].filter(Boolean);
  const b = boundsOf(shown);
  if (b) map.fitBounds(b, { padding: 16, animate: false });
  renderLegend();
}

export function renderLegend() {
  if (!page.profile || !$('map-legend')) return;
  const items = [h('li', {}, h('span', { className: 'legend-line main', 'aria-hidden': 'true' }),
    t('map.legend_main', { name: page.profile.district.name ?? page.state.id }))];
  if (page.compare && page.features.get(page.compare.district.id)) {
    items.push(h('li', {}, h('span', { className: 'legend-line compare', 'aria-hidden': 'true' }),
      t('map.legend_compare', { name: page.compare.district.name ?? page.compare.district.id })));
  }
  $('map-legend').replaceChildren(...items);
}

/** The high-contrast switch: the basemap and the outlines drawn anew on it. */
export function setMapContrast(contrast) {
  if (!page.map) return;
  const done = nextStyleLoad(page.map);
  page.map.setStyle(styleUrl(contrast), { diff: false });
  window.app.styleReady = done;
}

/** Before printing: the map as a picture, described in words. */
export function preparePrint() {
  const img = $('map-print');
  if (!page.map || $('map').hidden) return;
  try {
    img.src = page.map.getCanvas().toDataURL('image/png');
    const names = [page.profile.district.name, page.compare?.district.name].filter(Boolean);
    img.alt = t('map.print_alt', { names: names.join(' / ') });
    img.hidden = false;
  } catch {
    img.hidden = true;
  }
}
