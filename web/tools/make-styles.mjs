// Writes tiles/styles/default.json and tiles/styles/high-contrast.json from one description,
// so that the two themes draw the same layers and differ only in colours and widths.
//
//   node web/tools/make-styles.mjs           (from the repository root)
//   node web/tools/make-styles.mjs --check   (writes nothing; fails when a file is out of date)
//
// The server replaces every "{base}" with the request's origin when it serves /styles/{name}.json.
// No "glyphs" key: MapLibre draws the labels locally from the fonts named in "font-faces",
// which the server hosts at /fonts/ (the @fontsource/noto-sans woff2 files).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const out = (name) => fileURLToPath(new URL(`../../tiles/styles/${name}.json`, import.meta.url));

// Unicode ranges of the two @fontsource subsets (copied from @fontsource/noto-sans/400.css).
const LATIN = ['U+0000-00FF', 'U+0131', 'U+0152-0153', 'U+02BB-02BC', 'U+02C6', 'U+02DA', 'U+02DC',
  'U+0304', 'U+0308', 'U+0329', 'U+2000-206F', 'U+20AC', 'U+2122', 'U+2191', 'U+2193', 'U+2212',
  'U+2215', 'U+FEFF', 'U+FFFD'];
const LATIN_EXT = ['U+0100-02BA', 'U+02BD-02C5', 'U+02C7-02CC', 'U+02CE-02D7', 'U+02DD-02FF',
  'U+1D00-1DBF', 'U+1E00-1E9F', 'U+1EF2-1EFF', 'U+2020', 'U+20A0-20AB', 'U+20AD-20C0', 'U+2113',
  'U+2C60-2C7F', 'U+A720-A7FF'];
const face = (weight) => [
  { url: `{base}/fonts/noto-sans-latin-${weight}-normal.woff2`, 'unicode-range': LATIN },
  { url: `{base}/fonts/noto-sans-latin-ext-${weight}-normal.woff2`, 'unicode-range': LATIN_EXT },
];
const REGULAR = ['Noto Sans Regular'];
const BOLD = ['Noto Sans Bold'];

// Every colour and width as [default, high contrast]: the two themes side by side. Classes
// that look alike share an entry ('grass meadow garden').
const PAIRED = {
  name: ['Nærmiljø – standard', 'Nærmiljø – høy kontrast'],
  background: ['#f5f3ee', '#ffffff'],
  landuse: {
    residential: ['#ece8e1', '#ffffff'], 'commercial retail': ['#efe5df', '#ffffff'], industrial: ['#e7e3ea', '#ffffff'],
    railway: ['#e6e2dd', '#ffffff'], construction: ['#e8e5da', '#ffffff'], farmland: ['#eef0da', '#ffffff'],
    other: ['#ebe8e2', '#ffffff'],
  },
  green: {
    park: ['#d3e8c4', '#b9e0a0'], forest: ['#c3dcb0', '#9fd080'], 'grass meadow garden': ['#dbecce', '#c8e8b4'],
    allotments: ['#e0ebcf', '#c8e8b4'], cemetery: ['#d2e0c9', '#b9e0a0'], wetland: ['#d6e8df', '#b9e0a0'],
    'sand beach': ['#f2e9cf', '#f5e6a8'], rock: ['#e3e0db', '#d9d9d9'], pitch: ['#c6e2bd', '#9fd080'],
    playground: ['#d9eecd', '#c8e8b4'],
  },
  pitchOutline: ['#9cc48f', '#2d5a1b'],
  water: ['#b3d4e8', '#74a9e0'], waterLine: ['#8fbcd9', '#2b6cb0'], waterLabel: ['#2f5f80', '#062f5f'],
  building: ['#dfdbd4', '#d4d4d4'], buildingOutline: ['#c9c3ba', '#4d4d4d'],
  road: {
    motorway: ['#f6c98a', '#ffd23f'], trunk: ['#f8d69b', '#ffd23f'], primary: ['#fbe4a8', '#ffe680'],
    secondary: ['#fff3c9', '#ffffff'], 'tertiary minor service': ['#ffffff', '#ffffff'], pedestrian: ['#f3f0ea', '#ffffff'],
  },
  casing: ['#c2bbae', '#000000'], casingMajor: ['#c9a063', '#000000'], bridgeCasing: ['#8c8477', '#000000'],
  path: ['#8a7f70', '#000000'], track: ['#9a7d55', '#3d2a10'], steps: ['#8a5a44', '#000000'],
  rail: ['#8f8a84', '#000000'], railDash: ['#ffffff', '#ffffff'], tram: ['#9b8f99', '#000000'],
  widthScale: [1, 1.35],
  label: ['#3d3b38', '#000000'], labelMinor: ['#5b5852', '#000000'],
  halo: ['rgba(255,255,255,0.9)', '#ffffff'], haloWidth: [1.4, 2.2],
  place: ['#2b2a28', '#000000'], placeMinor: ['#55524c', '#000000'], textScale: [1, 1.2],
  facility: {
    school: ['#1f5fa8', '#003d99'], kindergarten: ['#7a3fa0', '#5a1a80'], playground: ['#b8430c', '#7a2400'],
    'pitch skatepark fitness_station track': ['#0f7446', '#004a25'], sports_hall: ['#0c6c84', '#004d61'],
    'library culture_house': ['#b0245c', '#7a0033'], 'youth_club community_centre': ['#9a4a06', '#6b3300'],
    park: ['#4a6f10', '#2f4d00'],
  },
  // The facility marks' outline (WCAG 1.4.11, ≥ 3:1 against every basemap fill, also under the
  // bands): in the default theme black around mid-dark fills (every fill ≥ 3:1 to black), since
  // a white outline is lost on the light basemap and a dark fill on the rivers and water under
  // the bands; in high contrast white around very dark fills, since that basemap's roads and
  // paths are black and its river a dark blue.
  facilityDefault: ['#6b6b6b', '#000000'], facilityStroke: ['#000000', '#ffffff'], facilityStrokeWidth: [1.5, 2.5],
  // The walking-time bands the residents' page draws over the basemap (residents/overlay.js
  // reads them from the style's metadata): a translucent fill, and one dark outline colour
  // (≥ 3:1 against every basemap fill, also inside the bands' own fills) on a light casing;
  // the bands differ by pattern (solid, dashed, dotted; legend swatches alike) and a label on
  // the line ("10 min").
  bandFill: ['#2b6cb0', '#4d4dff'], bandOpacity: [0.13, 0.14],
  bandLine: ['#0b3a66', '#000000'], bandCasing: ['#ffffff', '#ffffff'],
  bandLineWidth: [[3, 2.5, 2.5], [4, 3.5, 3.5]], bandCasingExtra: [2, 3],
  bandLabel: ['#0b3a66', '#000000'], bandLabelHalo: ['#ffffff', '#ffffff'],
  // The nature layer (/tiles/nature.json, hidden until a page shows it: the residents' «Vis
  // natur på kartet»): green areas, forest and water as translucent fills over the basemap's
  // own, a darker edge (black in high contrast), rivers and the coast as blue lines, bathing
  // places as blue dots with a white rim. Every fill, even opaque, stays light enough for the
  // walking bands' outline and the facility marks (≥ 3:1, tests/browser/symbols.test.mjs).
  natureFill: {
    green: ['#a1d99b', '#7fd67a'], forest: ['#41ab5d', '#2e9e3e'], shore: ['#6baed6', '#3d8bff'],
  },
  natureOpacity: [0.5, 0.6],
  natureEdge: { green: ['#238b45', '#000000'], forest: ['#00682a', '#000000'], shore: ['#2171b5', '#000000'] },
  natureEdgeWidth: [1, 1.5],
  natureWater: ['#2171b5', '#0038a8'], natureWaterWidth: [[1.5, 2.5, 4], [2.5, 3.5, 5]],
  naturePoint: ['#08519c', '#0038a8'], naturePointStroke: ['#ffffff', '#ffffff'],
};
// Each facility kind's shape on the map and in the legend (kit/legend.js SHAPES, drawn as SDF
// images 'mark-{shape}' by kit/map.js): kinds of one colour share one; kinds of different
// colours never do, so that no two kinds differ by colour alone (school and sports hall, pitch
// and park, youth club and playground are close in colour). Not the diamond: that is the
// residents' proposals' marker.
const FACILITY_SHAPES = {
  school: 'square', kindergarten: 'hexagon', playground: 'star',
  'pitch skatepark fitness_station track': 'triangle', sports_hall: 'triangle-down',
  'library culture_house': 'house', 'youth_club community_centre': 'plus', park: 'circle',
};
const DEFAULT_SHAPE = 'circle';
// The band dash patterns (in line widths), innermost band first; the rest take the last.
const BAND_DASHES = [[1, 0], [4, 2], [1, 1.5]];
/** One theme out of the pairs: 0 = default, 1 = high contrast (shared entries spread to their classes). */
const pick = (v, i) => (Array.isArray(v) ? v[i] : Object.fromEntries(Object.entries(v)
  .flatMap(([k, x]) => k.split(' ').map((one) => [one, pick(x, i)]))));
const pickTheme = (i) => Object.fromEntries(Object.entries(PAIRED).map(([k, v]) => [k,
  // Width lists per band are values, not pairs of pairs.
  Array.isArray(v) ? v[i] : pick(v, i)]));
const THEMES = { default: pickTheme(0), 'high-contrast': pickTheme(1) };
const SHAPE_OF = pick(Object.fromEntries(Object.entries(FACILITY_SHAPES).map(([k, v]) => [k, [v]])), 0);

// Kinds of different colours must not share a shape (in either theme).
for (const t of Object.values(THEMES)) {
  const shapeColour = new Map();
  for (const [kind, shape] of Object.entries(SHAPE_OF)) {
    const colour = t.facility[kind];
    if (shapeColour.has(shape) && shapeColour.get(shape) !== colour) {
      throw new Error(`make-styles: two colours share the shape ${shape} (${kind})`);
    }
    shapeColour.set(shape, colour);
  }
}

const get = (p) => ['get', p];
const cls = get('class');
const matchClass = (table, fallback) => ['match', cls, ...Object.entries(table).flat(), fallback];
const isTrue = (p) => ['==', ['get', p], true];
const notTrue = (p) => ['!=', ['get', p], true];
const inClass = (...values) => ['in', cls, ['literal', values]];
const name = ['coalesce', get('name'), ''];

// Road widths in pixels at zoom 10, 13, 16 and 18 (fills; casings add to them).
const ROAD_WIDTHS = {
  motorway: [1.6, 3.5, 11, 26], trunk: [1.4, 3.2, 10, 24], primary: [1.2, 3, 9.5, 22],
  secondary: [1, 2.6, 8.5, 20], tertiary: [0.6, 2, 7.5, 18], minor: [0.3, 1.2, 5.5, 14],
  service: [0.2, 0.6, 3, 8], pedestrian: [0.2, 0.8, 4, 10],
};
const ROAD_RANK = { motorway: 8, trunk: 7, primary: 6, secondary: 5, tertiary: 4, minor: 3, pedestrian: 2, service: 1 };
const MAJOR = ['motorway', 'trunk', 'primary'];
const CAR_ROADS = Object.keys(ROAD_WIDTHS);

function roadWidth(t, extra) {
  const stops = [10, 13, 16, 18];
  const expr = ['interpolate', ['exponential', 1.5], ['zoom']];
  stops.forEach((z, i) => {
    const table = Object.fromEntries(Object.entries(ROAD_WIDTHS)
      .map(([k, w]) => [k, +(w[i] * t.widthScale + (extra[i] ?? 0)).toFixed(2)]));
    expr.push(z, matchClass(table, +(0.5 * t.widthScale).toFixed(2)));
  });
  return expr;
}
const CASING_EXTRA = [0.6, 1.2, 2.5, 4];

/** The nature layers' ids (a page shows or hides them together: residents/nature.js). */
const NATURE_LAYERS = ['nature-fill', 'nature-outline', 'nature-line', 'nature-point'];
const geometry = (...types) => ['match', ['geometry-type'], types, true, false];
const POLYGONS = geometry('Polygon', 'MultiPolygon');

/**
 * The nature layer (source `nature`, source-layer `nature`: class green | forest | shore, name,
 * area_ha): over the basemap's land use and water, under its buildings, roads and labels;
 * hidden (`visibility: none`) until a page turns it on.
 */
function natureLayers(t) {
  const base = { source: 'nature', 'source-layer': 'nature', layout: { visibility: 'none' } };
  const byClass = (c) => ['match', cls, 'green', c.green, 'forest', c.forest, c.shore];
  const zoomed = ([a, b, d]) => ['interpolate', ['linear'], ['zoom'], 11, a, 14, b, 17, d];
  return [
    { id: NATURE_LAYERS[0], type: 'fill', ...base, filter: POLYGONS,
      paint: { 'fill-color': byClass(t.natureFill), 'fill-opacity': t.natureOpacity } },
    { id: NATURE_LAYERS[1], type: 'line', ...base, filter: POLYGONS,
      paint: { 'line-color': byClass(t.natureEdge), 'line-width': t.natureEdgeWidth } },
    { id: NATURE_LAYERS[2], type: 'line', ...base, filter: geometry('LineString', 'MultiLineString'),
      layout: { ...base.layout, 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': t.natureWater, 'line-width': zoomed(t.natureWaterWidth), 'line-opacity': 0.85 } },
    { id: NATURE_LAYERS[3], type: 'circle', ...base, filter: geometry('Point', 'MultiPoint'),
      paint: {
        'circle-color': t.naturePoint, 'circle-radius': zoomed([3, 5, 7]),
        'circle-stroke-color': t.naturePointStroke, 'circle-stroke-width': 2,
      } },
  ];
}

function style(id, t) {
  const layers = [];
  const add = (l) => layers.push(l);

  add({ id: 'background', type: 'background', paint: { 'background-color': t.background } });
  add({
    id: 'landuse', type: 'fill', source: 'basemap', 'source-layer': 'landuse',
    filter: ['!', inClass(...Object.keys(t.green))],
    paint: { 'fill-color': matchClass(t.landuse, t.landuse.other) },
  });
  add({
    id: 'landuse-green', type: 'fill', source: 'basemap', 'source-layer': 'landuse',
    filter: inClass(...Object.keys(t.green).filter((k) => k !== 'pitch' && k !== 'playground')),
    paint: { 'fill-color': matchClass(t.green, t.green.park) },
  });
  add({
    id: 'landuse-pitch', type: 'fill', source: 'basemap', 'source-layer': 'landuse',
    filter: inClass('pitch', 'playground'),
    paint: { 'fill-color': matchClass(t.green, t.green.pitch), 'fill-outline-color': t.pitchOutline },
  });
  add({
    id: 'water', type: 'fill', source: 'basemap', 'source-layer': 'water',
    paint: { 'fill-color': t.water },
  });
  add({
    id: 'waterway', type: 'line', source: 'basemap', 'source-layer': 'waterway',
    layout: { 'line-cap': 'round', 'line-join': 'round' },
    paint: {
      'line-color': t.waterLine,
      'line-width': ['interpolate', ['exponential', 1.4], ['zoom'],
        10, matchClass({ river: 1.2, canal: 1.2 }, 0.4),
        16, matchClass({ river: 8, canal: 6, stream: 2.5 }, 1.5)],
    },
  });
  natureLayers(t).forEach(add);
  add({
    id: 'building', type: 'fill', source: 'basemap', 'source-layer': 'building', minzoom: 14,
    paint: {
      'fill-color': t.building, 'fill-outline-color': t.buildingOutline,
      'fill-opacity': ['interpolate', ['linear'], ['zoom'], 14, 0.4, 15, 1],
    },
  });

  // Tunnels: thin and dashed, under everything else.
  add({
    id: 'road-tunnel', type: 'line', source: 'basemap', 'source-layer': 'road',
    filter: ['all', isTrue('tunnel'), inClass(...CAR_ROADS)],
    layout: { 'line-join': 'round' },
    paint: {
      'line-color': t.casing, 'line-dasharray': [2, 2],
      'line-width': ['interpolate', ['linear'], ['zoom'], 12, 0.5, 16, 2],
    },
  });

  // Paths, steps and tracks: dashed lines without casing.
  add({
    id: 'path', type: 'line', source: 'basemap', 'source-layer': 'road', minzoom: 14,
    filter: ['all', notTrue('tunnel'), inClass('path', 'track')],
    paint: {
      'line-color': matchClass({ track: t.track }, t.path),
      'line-dasharray': [3, 1.5],
      'line-width': ['interpolate', ['linear'], ['zoom'], 14, 0.8 * t.widthScale, 18, 2.2 * t.widthScale],
    },
  });
  add({
    id: 'steps', type: 'line', source: 'basemap', 'source-layer': 'road', minzoom: 14,
    filter: ['all', notTrue('tunnel'), inClass('steps')],
    paint: {
      'line-color': t.steps, 'line-dasharray': [0.6, 0.4],
      'line-width': ['interpolate', ['linear'], ['zoom'], 14, 2 * t.widthScale, 18, 5 * t.widthScale],
    },
  });

  const roadLayers = (suffix, filter, casingColor) => {
    add({
      id: `road-casing${suffix}`, type: 'line', source: 'basemap', 'source-layer': 'road',
      filter,
      layout: { 'line-cap': suffix ? 'butt' : 'round', 'line-join': 'round', 'line-sort-key': matchClass(ROAD_RANK, 0) },
      paint: {
        'line-color': casingColor ?? ['match', cls, MAJOR, t.casingMajor, t.casing],
        'line-width': roadWidth(t, CASING_EXTRA),
        'line-opacity': ['interpolate', ['linear'], ['zoom'], 10, 0.6, 13, 1],
      },
    });
    add({
      id: `road${suffix}`, type: 'line', source: 'basemap', 'source-layer': 'road',
      filter,
      layout: { 'line-cap': 'round', 'line-join': 'round', 'line-sort-key': matchClass(ROAD_RANK, 0) },
      paint: { 'line-color': matchClass(t.road, '#ffffff'), 'line-width': roadWidth(t, []) },
    });
  };
  roadLayers('', ['all', notTrue('tunnel'), notTrue('bridge'), inClass(...CAR_ROADS)]);

  add({
    id: 'rail', type: 'line', source: 'basemap', 'source-layer': 'rail',
    filter: ['all', notTrue('tunnel'), ['!', inClass('subway')]],
    paint: {
      'line-color': matchClass({ tram: t.tram, light_rail: t.tram }, t.rail),
      'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.6, 16, matchClass({ tram: 1.5 }, 3)],
    },
  });
  add({
    id: 'rail-dash', type: 'line', source: 'basemap', 'source-layer': 'rail', minzoom: 13,
    filter: ['all', notTrue('tunnel'), inClass('rail', 'narrow_gauge')],
    paint: {
      'line-color': t.railDash, 'line-dasharray': [3, 3],
      'line-width': ['interpolate', ['linear'], ['zoom'], 13, 0.6, 16, 1.5],
    },
  });

  roadLayers('-bridge', ['all', isTrue('bridge'), notTrue('tunnel'), inClass(...CAR_ROADS)], t.bridgeCasing);

  // Every facility, in the shape and colour of its kind (SDF images, so that the colour and
  // the outline are paint properties here). The page hides these while a result is shown and
  // draws the reachable ones from /api/reach instead, with the same expressions.
  add({
    id: 'facilities', type: 'symbol', source: 'facilities', 'source-layer': 'facilities', minzoom: 11,
    layout: {
      'icon-image': ['match', get('kind'),
        ...Object.entries(SHAPE_OF).flatMap(([k, shape]) => [k, `mark-${shape}`]), `mark-${DEFAULT_SHAPE}`],
      'icon-size': ['interpolate', ['linear'], ['zoom'], 11, 0.55, 14, 0.75, 17, 1],
      'icon-allow-overlap': true, 'icon-ignore-placement': true,
    },
    paint: {
      'icon-color': ['match', get('kind'), ...Object.entries(t.facility).flat(), t.facilityDefault],
      'icon-halo-color': t.facilityStroke,
      'icon-halo-width': t.facilityStrokeWidth,
    },
  });

  const halo = { 'text-halo-color': t.halo, 'text-halo-width': t.haloWidth };
  const scaled = (v) => (typeof v === 'number' ? +(v * t.textScale).toFixed(1)
    : t.textScale === 1 ? v : ['*', v, t.textScale]);
  const size = (pairs) => ['interpolate', ['linear'], ['zoom'], ...pairs.map((v, i) => (i % 2 ? scaled(v) : v))];
  add({
    id: 'waterway-label', type: 'symbol', source: 'basemap', 'source-layer': 'waterway', minzoom: 13,
    filter: ['!=', name, ''],
    layout: {
      'symbol-placement': 'line', 'text-field': name, 'text-font': REGULAR,
      'text-size': size([13, 10, 17, 13]), 'text-letter-spacing': 0.05,
    },
    paint: { 'text-color': t.waterLabel, ...halo },
  });
  add({
    id: 'water-label', type: 'symbol', source: 'basemap', 'source-layer': 'water', minzoom: 12,
    filter: ['!=', name, ''],
    layout: {
      'text-field': name, 'text-font': REGULAR, 'text-size': size([12, 11, 17, 14]),
      'text-max-width': 7, 'text-letter-spacing': 0.05,
    },
    paint: { 'text-color': t.waterLabel, ...halo },
  });
  add({
    id: 'road-label', type: 'symbol', source: 'basemap', 'source-layer': 'road', minzoom: 13,
    filter: ['all', ['!=', name, ''], notTrue('tunnel')],
    layout: {
      'symbol-placement': 'line', 'text-field': name, 'text-font': REGULAR,
      'text-size': size([13, matchClass({ motorway: 11, trunk: 11, primary: 11, secondary: 11 }, 10),
        17, matchClass({ motorway: 14, trunk: 14, primary: 14, secondary: 14 }, 13)]),
      'symbol-spacing': 300, 'text-max-angle': 30, 'text-padding': 2,
      'symbol-sort-key': ['-', 0, matchClass(ROAD_RANK, 0)],
    },
    paint: { 'text-color': t.label, ...halo },
  });
  add({
    id: 'facility-label', type: 'symbol', source: 'facilities', 'source-layer': 'facilities', minzoom: 15,
    filter: ['!=', ['coalesce', get('name'), ''], ''],
    layout: {
      'text-field': get('name'), 'text-font': REGULAR, 'text-size': size([15, 11, 18, 13]),
      'text-anchor': 'top', 'text-offset': [0, 0.8], 'text-max-width': 8, 'text-optional': true,
    },
    paint: { 'text-color': t.labelMinor, ...halo },
  });
  add({
    id: 'place-minor', type: 'symbol', source: 'basemap', 'source-layer': 'place', minzoom: 12,
    filter: inClass('suburb', 'quarter', 'neighbourhood', 'hamlet', 'locality', 'island'),
    layout: {
      'text-field': get('name'), 'text-font': BOLD,
      'text-size': size([12, matchClass({ suburb: 12 }, 10.5), 16, matchClass({ suburb: 16 }, 14)]),
      'text-transform': 'uppercase', 'text-letter-spacing': 0.08, 'text-max-width': 8,
      'symbol-sort-key': matchClass({ suburb: 1, quarter: 2 }, 3),
    },
    paint: { 'text-color': t.placeMinor, ...halo },
  });
  add({
    id: 'place-major', type: 'symbol', source: 'basemap', 'source-layer': 'place',
    filter: inClass('city', 'town', 'village'),
    layout: {
      'text-field': get('name'), 'text-font': BOLD,
      'text-size': size([10, matchClass({ city: 18, town: 15 }, 13), 16, matchClass({ city: 26, town: 21 }, 17)]),
      'text-max-width': 8,
    },
    paint: { 'text-color': t.place, ...halo },
  });

  return {
    version: 8,
    name: t.name,
    metadata: {
      'naermiljo:theme': id,
      'naermiljo:generator': 'web/tools/make-styles.mjs',
      // What the residents' page draws over this basemap (residents/overlay.js).
      'naermiljo:bands': {
        'fill-color': t.bandFill, 'fill-opacity': t.bandOpacity,
        'line-color': t.bandLine, 'line-width': t.bandLineWidth, 'line-dasharray': BAND_DASHES,
        'casing-color': t.bandCasing, 'casing-extra-width': t.bandCasingExtra,
        'text-color': t.bandLabel, 'text-halo-color': t.bandLabelHalo,
      },
    },
    center: [10.75, 59.92],
    zoom: 13.5,
    'font-faces': { 'Noto Sans Regular': face(400), 'Noto Sans Bold': face(700) },
    sources: {
      basemap: { type: 'vector', url: '{base}/tiles/basemap.json' },
      facilities: { type: 'vector', url: '{base}/tiles/facilities.json' },
      nature: { type: 'vector', url: '{base}/tiles/nature.json' },
    },
    layers,
  };
}

/** JSON with objects indented and arrays without objects (expressions, ranges) on one line. */
function pretty(v, indent = '') {
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (!v.some((x) => x && typeof x === 'object' && !Array.isArray(x))) return JSON.stringify(v).replace(/,/g, ', ');
    return `[\n${v.map((x) => inner + pretty(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v).map(([k, x]) => `${inner}${JSON.stringify(k)}: ${pretty(x, inner)}`);
    return `{\n${entries.join(',\n')}\n${indent}}`;
  }
  return JSON.stringify(v);
}

// `--check`: write nothing, and fail when a file differs from what this script makes (the tests
// run it, so that an edit here is not forgotten in the styles the server sends).
const check = process.argv.includes('--check');
let stale = 0;
for (const [id, t] of Object.entries(THEMES)) {
  const text = `${pretty(style(id, t))}\n`;
  if (!check) {
    writeFileSync(out(id), text);
    console.log(`wrote tiles/styles/${id}.json`);
  } else if (!existsSync(out(id)) || readFileSync(out(id), 'utf8') !== text) {
    console.error(`tiles/styles/${id}.json is not what web/tools/make-styles.mjs makes: run it`);
    stale += 1;
  }
}
if (stale) process.exitCode = 1;
