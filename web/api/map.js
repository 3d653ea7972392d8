// The small map of the items and item pages: the document's features on the basemap (areas
// filled and outlined, lines, points as dots), fitted to them. Only for coordinates in CRS84
// (longitude, latitude): in another CRS the page says so and links to the same page in CRS84.
// The style's own layers of the service's data are hidden: the map shows the document's
// features on the basemap. Everything on the map is in the page's text, so the map needs no legend; its canvas is
// named by `maplibre.Map.Title`, is one stop for Tab (arrows move it, + and − zoom) and no
// trap, and the wheel scrolls the page, not the map.

import { $, h } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { createMap, boundsOf, themeOf, relabelControls, setVisible } from '../kit/map.js';
import { page } from './context.js';
import { CRS84, htmlView } from './links.js';

const THEME = {
  default: { fill: '#0b4f8a', fillOpacity: 0.15, line: '#0b4f8a', lineWidth: 2, point: '#0b4f8a', pointStroke: '#ffffff' },
  'high-contrast': { fill: '#000000', fillOpacity: 0.1, line: '#000000', lineWidth: 3, point: '#000000', pointStroke: '#ffffff' },
};

const AREA = ['match', ['geometry-type'], ['Polygon', 'MultiPolygon'], true, false];
const LINE = ['match', ['geometry-type'], ['LineString', 'MultiLineString'], true, false];
const POINT = ['match', ['geometry-type'], ['Point', 'MultiPoint'], true, false];

/** The features of the page's document (one for an item), with a geometry; ids only as properties. */
function features() {
  const doc = page.doc;
  const all = doc?.type === 'FeatureCollection' ? doc.features ?? [] : doc?.type === 'Feature' ? [doc] : [];
  return all.filter((f) => f?.geometry?.type).map((f) => ({ type: 'Feature', geometry: f.geometry, properties: { id: String(f.id ?? '') } }));
}

function addLayers(data) {
  const map = page.map;
  // The basemap only: the style's own layers of the service's data (facilities, nature) would
  // hide the page's features among others.
  setVisible(map, map.getStyle().layers.filter((l) => l.source && l.source !== 'basemap').map((l) => l.id), false);
  const theme = THEME[themeOf(map.getStyle())];
  if (!map.getSource('api')) map.addSource('api', { type: 'geojson', data });
  const add = (layer) => { if (!map.getLayer(layer.id)) map.addLayer(layer); };
  add({ id: 'api-fill', type: 'fill', source: 'api', filter: AREA, paint: { 'fill-color': theme.fill, 'fill-opacity': theme.fillOpacity } });
  add({ id: 'api-outline', type: 'line', source: 'api', filter: ['any', AREA, LINE], paint: { 'line-color': theme.line, 'line-width': theme.lineWidth } });
  add({
    id: 'api-point', type: 'circle', source: 'api', filter: POINT,
    paint: { 'circle-radius': 6, 'circle-color': theme.point, 'circle-stroke-color': theme.pointStroke, 'circle-stroke-width': 2 },
  });
}

/** The note under the map (or in its place), in the page's language. */
function note(...children) {
  $('map-note').replaceChildren(...children);
}

/** Draws the map when the page has features in CRS84; resolves when it has drawn (or could not). */
export async function startMap() {
  if (page.kind !== 'items' && page.kind !== 'item') return;
  const box = $('map-box');
  box.hidden = false;
  if (page.crs && page.crs !== CRS84) {
    $('map').hidden = true;
    showMapNote();
    return;
  }
  const data = { type: 'FeatureCollection', features: features() };
  if (page.kind === 'items' && (page.doc?.features ?? []).length === 0) {
    box.hidden = true; // nothing to show: the page says there are no items
    return;
  }
  if (data.features.length === 0) {
    $('map').hidden = true;
    showMapNote();
    return;
  }
  const bounds = boundsOf(data.features);
  try {
    page.map = createMap({
      contrast: page.contrast,
      view: {},
      scrollZoom: false,
      bounds,
      fitBoundsOptions: { padding: 24, maxZoom: 16 },
    });
  } catch (e) {
    failed(e);
    return;
  }
  page.map.on('style.load', () => addLayers(data));
  showMapNote();
  await new Promise((ok) => {
    page.map.once('idle', ok);
    page.map.once('error', ok);
  });
}

function failed(reason) {
  console.warn('map:', reason);
  page.map = null;
  $('map').hidden = true;
  page.mapFailed = true;
  showMapNote();
}

/** The note about the map: what it shows, or why there is none; again after a language switch. */
export function showMapNote() {
  if ($('map-box').hidden) return;
  if (page.crs && page.crs !== CRS84) {
    const url = new URL(location.href);
    url.searchParams.delete('crs');
    note(t('map.other_crs', { crs: page.crs }), ' ', h('a', { href: htmlView(url.href) }, t('map.crs84_link')));
  } else if (page.mapFailed) {
    note(t('map.failed'));
  } else if (!page.map) {
    note(t('map.no_geometry'));
  } else {
    note(t('map.note'));
  }
  if (page.map) relabelControls(page.map);
}
