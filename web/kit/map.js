// The map every page draws on: MapLibre from this server (/vendor/maplibre-gl), our basemap
// style (default or high contrast, /styles/{name}.json), its attribution, zoom and scale
// controls without rotation, the view kept in the page's state, `window.app.idle()`, and the
// images of the facility symbols (`mark-{shape}`, shapes from ./legend.js).

import {
  MapLibreMap, NavigationControl, AttributionControl, ScaleControl,
} from '../../vendor/maplibre-gl/maplibre-gl.mjs';
import { abs } from './base.js';
import { t, has } from './i18n.js';
import { SHAPES, shapeOfImage } from './legend.js';

export * from '../../vendor/maplibre-gl/maplibre-gl.mjs';

/** Whose data the page shows: the server puts it in `<meta name="naermiljo-attribution">`
 * from the data it holds (one text per publisher); OpenStreetMap's basemap always. */
export const ATTRIBUTION = [...new Set([
  ...(document.querySelector('meta[name="naermiljo-attribution"]')?.content ?? '')
    .split(', ').filter(Boolean),
  '© OpenStreetMap contributors (ODbL)',
])];

/** The basemap style's whole URL (kit/base.js): `…/styles/high-contrast.json` when `contrast` is 'high'. */
export const styleUrl = (contrast) => abs(`/styles/${contrast === 'high' ? 'high-contrast' : 'default'}.json`);

/** The theme a style says it is (its metadata), for the page's own overlay colours. */
export const themeOf = (style) => (style?.metadata?.['naermiljo:theme'] === 'high-contrast' ? 'high-contrast' : 'default');

/**
 * A map in `#map` with our style and controls. `view`: the page's state with `center` and `zoom`
 * from the URL (either may be null), kept up to date after every move, after which `onMove()`
 * runs (to write the URL); the rest are MapLibre options (transformStyle, cooperativeGestures,
 * maxBounds, …). The map is `window.map` and `window.app.map` from the same tick on (tests wait
 * for its 'idle'); `window.app` must exist before.
 */
export function createMap({ contrast, view = {}, onMove, ...options }) {
  const map = new MapLibreMap({
    container: 'map',
    style: styleUrl(contrast),
    attributionControl: false,
    locale: mapLocale(),
    maxZoom: 19,
    minZoom: 9,
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    fadeDuration: 0,
    ...(view.center ? { center: view.center } : {}),
    ...(view.zoom != null ? { zoom: view.zoom } : {}),
    ...options,
  });
  window.map = map;
  window.app.map = map;
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false, visualizePitch: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(new AttributionControl({ compact: false, customAttribution: ATTRIBUTION }), 'bottom-right');
  map.on('moveend', () => {
    const c = map.getCenter();
    view.center = [c.lng, c.lat];
    view.zoom = map.getZoom();
    onMove?.();
  });
  map.on('error', (e) => console.error('map:', e.error?.message ?? e));
  wireMarkImages(map);
  /** Resolves when the map has drawn everything it has (tests and benchmarks use it). */
  window.app.idle = () => new Promise((ok) => {
    if (map.loaded() && map.areTilesLoaded() && !map.isMoving()) ok();
    else map.once('idle', ok);
  });
  return map;
}

// The facility symbols' images: one signed distance field per shape, so that the style colours
// them (`icon-color`) and outlines them (`icon-halo-color`, `icon-halo-width`). MapLibre reads
// the alpha channel: 192 on the edge, 32 steps per pixel (SDF_PX 8 in its shader), so a halo
// reaches at most 6 pixels out; the image keeps that room around the shape.
const MARK_RADIUS = 10; // pixels from the centre to the edge of the 2 × 2 box, at icon-size 1
const MARK_ROOM = 7;

/** Signed distance (pixels, negative inside) from (x, y) to a shape of `r` pixels. */
function distanceTo(shape, x, y, r) {
  const { radius, points } = SHAPES[shape];
  if (radius) return Math.hypot(x, y) - radius * r;
  let d = Infinity;
  let inside = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [ax, ay] = [points[j][0] * r, points[j][1] * r];
    const [bx, by] = [points[i][0] * r, points[i][1] * r];
    const [dx, dy] = [bx - ax, by - ay];
    const k = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
    d = Math.min(d, Math.hypot(x - ax - k * dx, y - ay - k * dy));
    if ((ay > y) !== (by > y) && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside ? -d : d;
}

/** The SDF image of a shape (MapLibre's `{ width, height, data }`). */
export function markImage(shape) {
  const size = 2 * (MARK_RADIUS + MARK_ROOM);
  const data = new Uint8ClampedArray(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = distanceTo(shape, x + 0.5 - size / 2, y + 0.5 - size / 2, MARK_RADIUS);
      const i = (y * size + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 255;
      data[i + 3] = Math.round(255 * (0.75 - d / 8));
    }
  }
  return { width: size, height: size, data };
}

/** Gives the map a `mark-{shape}` image whenever its style asks for one (also after a switch). */
function wireMarkImages(map) {
  const add = (shape) => {
    const id = `mark-${shape}`;
    if (!map.hasImage(id)) map.addImage(id, markImage(shape), { sdf: true, pixelRatio: 1 });
  };
  // Every shape as soon as a style is there: a symbol laid out while its image was missing
  // can stay undrawn (the request for it is answered only on the next layout).
  map.on('style.load', () => Object.keys(SHAPES).forEach(add));
  map.on('styleimagemissing', (e) => {
    const shape = shapeOfImage(e.id);
    if (shape) add(shape);
  });
}

/** Resolves at the next 'style.load' (the style's own view applies then; overlays go after). */
export const nextStyleLoad = (map) => new Promise((ok) => map.once('style.load', ok));

/** [[w, s], [e, n]] around every coordinate of these GeoJSON features, or null. */
export function boundsOf(features) {
  let w = Infinity, s = Infinity, e = -Infinity, n = -Infinity;
  const visit = (c) => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else c.forEach(visit);
  };
  for (const f of features) if (f.geometry) visit(f.geometry.coordinates);
  return Number.isFinite(w) ? [[w, s], [e, n]] : null;
}

/** Sets a layout property on those of `ids` the style has (a style switch may be under way). */
export function setVisible(map, ids, on) {
  for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
}

// The strings MapLibre writes into its controls, from the page's strings (`maplibre.{key}`).
const CONTROL_STRINGS = ['NavigationControl.ZoomIn', 'NavigationControl.ZoomOut',
  'NavigationControl.ResetBearing', 'AttributionControl.ToggleAttribution', 'Map.Title', 'Popup.Close',
  'CooperativeGesturesHandler.WindowsHelpText', 'CooperativeGesturesHandler.MacHelpText',
  'CooperativeGesturesHandler.MobileHelpText'];

/** MapLibre's `locale` option in the current language (the keys the strings have). */
export const mapLocale = () => Object.fromEntries(CONTROL_STRINGS.filter((k) => has(`maplibre.${k}`))
  .map((k) => [k, t(`maplibre.${k}`)]));

/** After a language switch: the strings MapLibre wrote into its controls at construction. */
export function relabelControls(map) {
  const locale = mapLocale();
  map._locale = { ...map._locale, ...locale };
  map.getCanvas().setAttribute('aria-label', t('maplibre.Map.Title'));
  const relabel = (selector, key) => {
    for (const el of document.querySelectorAll(selector)) {
      el.title = t(`maplibre.${key}`);
      el.setAttribute('aria-label', t(`maplibre.${key}`));
    }
  };
  relabel('.maplibregl-ctrl-zoom-in', 'NavigationControl.ZoomIn');
  relabel('.maplibregl-ctrl-zoom-out', 'NavigationControl.ZoomOut');
  relabel('.maplibregl-ctrl-attrib-button', 'AttributionControl.ToggleAttribution');
}
