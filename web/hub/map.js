// The small map: the hub marked on the basemap, with the attribution. Nothing is only on it:
// the page's text says where the hub is. When it cannot be drawn (no WebGL), the page says so
// and goes on without it.

import { $, h } from '../kit/dom.js';
import { t, tNodes } from '../kit/i18n.js';
import { createMap, themeOf } from '../kit/map.js';
import { page } from './context.js';
import { hubName } from './render.js';
import { nb } from './format.js';

const THEME = {
  default: { colour: '#0b4f8a', stroke: '#ffffff' },
  'high-contrast': { colour: '#000000', stroke: '#ffffff' },
};

function addLayers() {
  const map = page.map;
  const theme = THEME[themeOf(map.getStyle())];
  if (!map.getSource('hub')) {
    map.addSource('hub', { type: 'geojson', data: { type: 'FeatureCollection', features: [page.hub] } });
  }
  if (!map.getLayer('hub-point')) {
    map.addLayer({
      id: 'hub-point', type: 'circle', source: 'hub',
      paint: { 'circle-radius': 10, 'circle-color': theme.colour, 'circle-stroke-color': theme.stroke, 'circle-stroke-width': 3 },
    });
  }
}

function failed(reason) {
  console.warn('map:', reason);
  $('map').hidden = true;
  $('map-legend').hidden = true;
  $('map-status').textContent = t('map.failed');
}

/** Starts the map around the hub. Resolves when it has drawn (or could not). */
export async function startMap() {
  $('map-box').hidden = false;
  const [lon, lat] = page.hub.geometry.coordinates;
  try {
    page.map = createMap({
      contrast: page.state.contrast,
      view: { center: [lon, lat], zoom: 15 },
      scrollZoom: false,
    });
  } catch (e) {
    failed(e);
    return;
  }
  page.map.on('style.load', addLayers);
  $('map-legend').replaceChildren(h('li', {}, h('span', { className: 'legend-dot', 'aria-hidden': 'true' }),
    ...tNodes('map.legend', { name: page.hub.properties.name ? nb(page.hub.properties.name) : hubName() })));
  await new Promise((ok) => {
    page.map.once('idle', ok);
    page.map.once('error', ok);
  });
}
