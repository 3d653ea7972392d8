// What the residents' map draws on the basemap: the walking bands, the reached facilities,
// the chosen point, activities (rings), volunteer needs (yellow dots) and the residents'
// proposals (black diamonds with a white border, ./proposals.js), the point of the nature area
// chosen in the list (a ring, ./nature.js); and the basemap's own layers the page switches: the
// facilities (filtered by kind, hidden while a result shows its own) and nature (`nature=1`).
//
// The walking-time bands: a translucent fill each, and an outline ≥ 3:1 against every basemap
// fill on a white casing, solid for the first band, dashed for the second, dotted for the rest,
// labelled along the line ("10 min"); colours, widths and patterns from the style's metadata
// (tools/make-styles.mjs `naermiljo:bands`), the legend's swatches alike (residents.css).
//
// The facilities: every kind a shape as well as a colour (the style's `facilities` layer,
// tools/make-styles.mjs; SDF images from kit/map.js), the reached ones drawn with the same
// expressions, and the legend told which shape each colour has (kit/legend.js).
//
// The proposals' look: every facility kind is a coloured shape with a thin border, black in the
// default theme and white in high contrast (squares, hexagons, triangles, houses, crosses, stars,
// circles; never a diamond), activities white rings, volunteer needs yellow dots; a proposal
// is the one diamond (a square on its tip) and the one black fill. Contrast (WCAG 1.4.11, 3:1),
// against every area and line colour of the basemaps: the default's #111111 fill ≥ 3.2:1 on its own (steps #8a5a44 3.26:1; paths 4.8:1), and with the white
// border ≥ 4.8:1; in high contrast, where roads and paths are black, the white border carries
// it (21:1 to the fill, ≥ 5.4:1 between fill or border and any basemap colour).

import { themeOf, setVisible } from '../kit/map.js';
import { setMarkShapes, shapeOfImage } from '../kit/legend.js';
import { t } from '../kit/i18n.js';
import { EMPTY } from '../kit/domain.js';
import { page, showsProposals } from './context.js';

// Colours of what the page draws on top of the basemap, per theme.
const OVERLAY = {
  default: {
    origin: '#b3123c', originStroke: '#ffffff', selected: '#111111', facilityStroke: '#000000',
    label: '#222222', halo: 'rgba(255,255,255,0.92)',
    activityFill: '#ffffff', activityStroke: '#5b1a8c', need: '#ffd400', needStroke: '#1b1b1b',
    proposal: '#111111', proposalStroke: '#ffffff',
  },
  'high-contrast': {
    origin: '#c8003c', originStroke: '#000000', selected: '#000000', facilityStroke: '#ffffff',
    label: '#000000', halo: '#ffffff',
    activityFill: '#ffffff', activityStroke: '#000000', need: '#ffd400', needStroke: '#000000',
    proposal: '#000000', proposalStroke: '#ffffff',
  },
};

// Nature (./nature.js): the basemap style's nature layers (tools/make-styles.mjs), shown while
// «Vis natur på kartet» is on; the point of an area chosen in the list in the colour the style
// gives its class (this fallback for a style without them).
export const NATURE_LAYERS = ['nature-fill', 'nature-outline', 'nature-line', 'nature-point'];
const NATURE_FILL = ['match', ['get', 'class'], 'green', '#a1d99b', 'forest', '#41ab5d', '#6baed6'];
const TILE_FACILITY_LAYERS = ['facilities', 'facility-label'];
// The overlay sources, with the key of page.overlayData each shows.
const OVERLAY_SOURCES = [['reach-bands', 'bands'], ['reach-facilities', 'facilities'], ['origin', 'origin'],
  ['reach-activities', 'activities'], ['reach-needs', 'needs'], ['proposal-points', 'proposals'],
  ['nature-chosen', 'natureChosen']];
// The overlay's layers per "Vis i kartet" switch (the `layers` URL parameter).
const SWITCHED = {
  bands: ['reach-band-fill', 'reach-band-casing', 'reach-band-line', 'reach-band-label'],
  facilities: ['reach-facility', 'reach-facility-label'],
  activities: ['reach-activity', 'reach-activity-count'],
  volunteers: ['reach-need'],
};

const zoomed = (a, b, c) => ['interpolate', ['linear'], ['zoom'], 11, a, 14, b, 17, c];
const isSelected = ['boolean', ['feature-state', 'selected'], false];
const visible = (layer) => ({ visibility: page.state.layers.has(layer) ? 'visible' : 'none' });
const proposalLayout = () => ({ visibility: showsProposals() ? 'visible' : 'none' });
export const PROPOSAL_LAYERS = ['proposal-selected', 'proposal'];

/** The proposal marker's image for a theme (drawn by wireProposalMarker when the style asks). */
const markerId = (theme) => `proposal-marker-${theme}`;

/**
 * A diamond (a square on its tip) in the theme's proposal colour with a white border, as
 * MapLibre image data: 26 × 26 CSS pixels drawn at twice that for sharp screens.
 */
function diamond(o) {
  const ratio = 2;
  const size = 26 * ratio;
  const canvas = document.createElement('canvas');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d');
  const c = size / 2;
  const shape = (r, colour) => {
    ctx.beginPath();
    ctx.moveTo(c, c - r);
    ctx.lineTo(c + r, c);
    ctx.lineTo(c, c + r);
    ctx.lineTo(c - r, c);
    ctx.closePath();
    ctx.fillStyle = colour;
    ctx.fill();
  };
  const outer = 12 * ratio; // tip to centre
  const border = 2.5 * ratio; // measured across the edge
  shape(outer, o.proposalStroke);
  shape(outer - border * Math.SQRT2, o.proposal);
  return { image: ctx.getImageData(0, 0, size, size), pixelRatio: ratio };
}

/** Gives the map the proposal marker whenever its style asks for it (also after a theme switch). */
export function wireProposalMarker(map) {
  // The bands' line labels are words ("10 min"): again in a new language.
  new MutationObserver(() => map.getSource('reach-bands')?.setData(labelledBands(page.overlayData.bands)))
    .observe(document.documentElement, { attributes: true, attributeFilter: ['lang'] });
  const add = (theme) => {
    const id = markerId(theme);
    if (map.hasImage(id)) return;
    const { image, pixelRatio } = diamond(OVERLAY[theme]);
    map.addImage(id, image, { pixelRatio });
  };
  // In the style before its sources are laid out (a symbol laid out while its image was
  // missing stayed undrawn), and whenever a new style comes (a theme switch).
  map.on('style.load', () => Object.keys(OVERLAY).forEach(add));
  map.on('styleimagemissing', (e) => {
    const theme = Object.keys(OVERLAY).find((k) => e.id === markerId(k));
    if (theme) add(theme);
  });
}

// The bands' look when a style has none in its metadata (the default theme's).
const BANDS = {
  'fill-color': '#2b6cb0', 'fill-opacity': 0.13, 'line-color': '#0b3a66', 'line-width': [3, 2.5, 2.5],
  'line-dasharray': [[1, 0], [4, 2], [1, 1.5]], 'casing-color': '#ffffff', 'casing-extra-width': 2,
  'text-color': '#0b3a66', 'text-halo-color': '#ffffff',
};
/** `['match', ['get', 'band'], 0, a, 1, b, …, last]`: a value per band (0 = the innermost). */
const perBand = (values, wrap = (v) => v) => (values.length === 1 ? wrap(values[0])
  : ['match', ['get', 'band'], ...values.slice(0, -1).flatMap((v, i) => [i, wrap(v)]), wrap(values.at(-1))]);

/** The walking-time bands' layers: fill and outline under the basemap's labels, the labels over them. */
function bandLayers(b) {
  const width = perBand(b['line-width']);
  const under = [
    {
      id: 'reach-band-fill', type: 'fill', source: 'reach-bands', layout: visible('bands'),
      paint: { 'fill-color': b['fill-color'], 'fill-opacity': b['fill-opacity'] },
    },
    {
      id: 'reach-band-casing', type: 'line', source: 'reach-bands', layout: { ...visible('bands'), 'line-join': 'round' },
      paint: { 'line-color': b['casing-color'], 'line-width': ['+', width, b['casing-extra-width']] },
    },
    {
      id: 'reach-band-line', type: 'line', source: 'reach-bands', layout: { ...visible('bands'), 'line-join': 'round' },
      paint: {
        'line-color': b['line-color'], 'line-width': width,
        'line-dasharray': perBand(b['line-dasharray'], (d) => ['literal', d]),
      },
    },
  ];
  const label = {
    id: 'reach-band-label', type: 'symbol', source: 'reach-bands',
    layout: {
      ...visible('bands'),
      'symbol-placement': 'line', 'text-field': ['get', 'label'], 'text-font': ['Noto Sans Bold'],
      'text-size': 12.5, 'symbol-spacing': 320, 'text-max-angle': 35, 'text-padding': 4,
    },
    paint: { 'text-color': b['text-color'], 'text-halo-color': b['text-halo-color'], 'text-halo-width': 2.2 },
  };
  return { under, label };
}

/** Kind → value of a style's `['match', ['get', 'kind'], kind, value, …, fallback]` (`_default`). */
function tableOf(expr) {
  const out = {};
  if (!Array.isArray(expr) || expr[0] !== 'match') return out;
  for (let i = 2; i + 1 < expr.length - 1; i += 2) {
    for (const k of [expr[i]].flat()) out[k] = expr[i + 1];
  }
  out._default = expr[expr.length - 1];
  return out;
}

/** Tells the legend which shape the map gives each kind's colour. */
function shareShapes(facilities) {
  const images = tableOf(facilities?.layout?.['icon-image']);
  const outline = facilities?.paint?.['icon-halo-color'];
  setMarkShapes(Object.entries(page.kindColours)
    .map(([kind, colour]) => ({ colour, shape: shapeOfImage(images[kind] ?? images._default), outline })));
}

/** A circle layer of the overlay: `fill`, radius by zoom, a rim that marks the selected. */
const circle = (id, source, layer, { fill, radius, rim, width }) => ({
  id, type: 'circle', source, layout: visible(layer),
  paint: {
    'circle-color': fill, 'circle-radius': zoomed(...radius),
    'circle-stroke-color': ['case', isSelected, rim[0], rim[1]],
    'circle-stroke-width': ['case', isSelected, width[0], width[1]],
  },
});

/** Adds the page's own sources and layers to a basemap style (also after a theme switch). */
export function withOverlay(_previous, next) {
  const o = OVERLAY[themeOf(next)];
  const facilities = next.layers.find((l) => l.id === 'facilities');
  const facilityPaint = facilities?.paint ?? {};
  page.kindColours = tableOf(facilityPaint['icon-color']);
  shareShapes(facilities);
  const bands = bandLayers({ ...BANDS, ...next.metadata?.['naermiljo:bands'] });
  const sources = { ...next.sources };
  for (const [source, key] of OVERLAY_SOURCES) sources[source] = { type: 'geojson', data: page.overlayData[key] };
  // Proposals are selected by their own id (feature state).
  sources['proposal-points'].promoteId = 'id';
  const { under } = bands;
  const haloWidth = facilityPaint['icon-halo-width'] ?? 1.5;
  const over = [
    bands.label,
    // The reached facilities: the style's shapes, colours and outline, a little larger; the
    // selected one with a wide dark border.
    {
      id: 'reach-facility', type: 'symbol', source: 'reach-facilities',
      layout: {
        ...visible('facilities'),
        'icon-image': facilities?.layout?.['icon-image'] ?? 'mark-circle', 'icon-size': zoomed(0.7, 0.9, 1.2),
        'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
      paint: {
        'icon-color': facilityPaint['icon-color'] ?? '#444444',
        'icon-halo-color': ['case', isSelected, o.selected, facilityPaint['icon-halo-color'] ?? o.facilityStroke],
        'icon-halo-width': ['case', isSelected, 4, haloWidth],
      },
    },
    {
      id: 'reach-facility-label', type: 'symbol', source: 'reach-facilities', minzoom: 14.5,
      layout: {
        ...visible('facilities'),
        'text-field': ['coalesce', ['get', 'name'], ''], 'text-font': ['Noto Sans Regular'],
        'text-size': 12, 'text-anchor': 'top', 'text-offset': [0, 0.9], 'text-max-width': 9,
        'text-optional': true,
      },
      paint: { 'text-color': o.label, 'text-halo-color': o.halo, 'text-halo-width': 1.6 },
    },
    // Activities: rings (the facilities are filled dots); a number when several share a place.
    circle('reach-activity', 'reach-activities', 'activities', {
      fill: o.activityFill, radius: [5, 8, 11], rim: [o.selected, o.activityStroke], width: [5, 3],
    }),
    {
      id: 'reach-activity-count', type: 'symbol', source: 'reach-activities', filter: ['>', ['get', 'count'], 1],
      layout: {
        ...visible('activities'),
        'text-field': ['to-string', ['get', 'count']], 'text-font': ['Noto Sans Bold'],
        'text-size': zoomed(8, 11, 13),
        'text-allow-overlap': true, 'text-ignore-placement': true,
      },
      paint: { 'text-color': o.activityStroke },
    },
    // Volunteer needs: yellow dots with a dark rim.
    circle('reach-need', 'reach-needs', 'volunteers', {
      fill: o.need, radius: [6, 9, 12], rim: [o.selected, o.needStroke], width: [5, 2.5],
    }),
    // Residents' proposals (./proposals.js): a black diamond with a white border; the selected
    // one inside a ring.
    {
      id: 'proposal-selected', type: 'circle', source: 'proposal-points', layout: proposalLayout(),
      paint: {
        'circle-color': o.proposalStroke, 'circle-opacity': ['case', isSelected, 0.85, 0],
        'circle-radius': zoomed(12, 15, 19),
        'circle-stroke-color': o.selected, 'circle-stroke-width': 3,
        'circle-stroke-opacity': ['case', isSelected, 1, 0],
      },
    },
    {
      id: 'proposal', type: 'symbol', source: 'proposal-points',
      layout: {
        ...proposalLayout(),
        'icon-image': markerId(themeOf(next)), 'icon-size': zoomed(0.75, 1, 1.25),
        'icon-allow-overlap': true, 'icon-ignore-placement': true,
      },
    },
    // The nature area chosen in the list: its point (the edge where it is reached) in a ring.
    {
      id: 'nature-chosen-ring', type: 'circle', source: 'nature-chosen',
      paint: {
        'circle-color': '#ffffff', 'circle-opacity': 0.9, 'circle-radius': 13,
        'circle-stroke-color': o.selected, 'circle-stroke-width': 3,
      },
    },
    {
      id: 'nature-chosen', type: 'circle', source: 'nature-chosen',
      paint: { 'circle-color': next.layers.find((l) => l.id === 'nature-fill')?.paint?.['fill-color'] ?? NATURE_FILL, 'circle-radius': 7 },
    },
    {
      id: 'nature-chosen-label', type: 'symbol', source: 'nature-chosen',
      layout: {
        'text-field': ['get', 'label'], 'text-font': ['Noto Sans Bold'], 'text-size': 13,
        'text-anchor': 'top', 'text-offset': [0, 1.2], 'text-max-width': 10,
      },
      paint: { 'text-color': o.label, 'text-halo-color': o.halo, 'text-halo-width': 2 },
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
  const natureVisibility = page.state.nature ? 'visible' : 'none';
  const layers = [...next.layers.slice(0, at), ...under, ...next.layers.slice(at), ...over]
    .map((l) => (TILE_FACILITY_LAYERS.includes(l.id) ? tileFacilityLayer(l)
      : NATURE_LAYERS.includes(l.id) ? { ...l, layout: { ...l.layout, visibility: natureVisibility } } : l));
  return { ...next, sources, layers };
}

/** The tile facilities: filtered by kind, hidden while a result shows its own. */
function tileFacilityLayer(layer) {
  const { state } = page;
  const on = state.layers.has('facilities') && !page.reach;
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

/** After a switch or a filter changed: which layers show, and the tile facilities' filter. */
export function applyTileFacilityState() {
  const { map } = page;
  if (!map?.getLayer('facilities')) return; // the style has not arrived; withOverlay applies it
  for (const id of TILE_FACILITY_LAYERS) {
    if (!map.getLayer(id)) continue;
    const styled = tileFacilityLayer({ id, layout: {}, filter: undefined });
    map.setLayoutProperty(id, 'visibility', styled.layout.visibility);
    map.setFilter(id, styled.filter ?? null);
  }
  for (const [layer, ids] of Object.entries(SWITCHED)) setVisible(map, ids, page.state.layers.has(layer));
  setVisible(map, PROPOSAL_LAYERS, showsProposals());
}

export function pushOverlayData() {
  for (const [source, key] of OVERLAY_SOURCES) {
    page.map?.getSource(source)?.setData(key === 'bands' ? labelledBands(page.overlayData.bands) : page.overlayData[key]);
  }
  setSelected(page.selected);
}

/** The bands with their order (`band`: 0 the shortest walk) and their line label ("10 min"). */
function labelledBands(data) {
  const minutes = [...new Set((data?.features ?? []).map((f) => f.properties?.minutes))].sort((a, b) => a - b);
  return {
    ...data,
    features: (data?.features ?? []).map((f) => ({
      ...f,
      properties: {
        ...f.properties,
        band: minutes.indexOf(f.properties?.minutes),
        label: t('list.minutes', { count: f.properties?.minutes }),
      },
    })),
  };
}

/** Marks the selected item's point on the map (a facility, or the point an activity shares). */
export function setSelected(item) {
  const { map } = page;
  if (!map?.getSource('reach-facilities')) return;
  for (const source of ['reach-facilities', 'reach-activities', 'reach-needs', 'proposal-points']) {
    if (map.getSource(source)) map.removeFeatureState({ source });
  }
  page.overlayData.natureChosen = natureChosen(item);
  map.getSource('nature-chosen')?.setData(page.overlayData.natureChosen);
  if (!item || item.type === 'nature') return;
  if (item.type === 'proposal') {
    if (map.getSource('proposal-points')) map.setFeatureState({ source: 'proposal-points', id: item.id }, { selected: true });
    return;
  }
  if (item.type === 'facility') {
    map.setFeatureState({ source: 'reach-facilities', id: item.id }, { selected: true });
    return;
  }
  const [source, points] = item.type === 'activity' ? ['reach-activities', page.activityPoints] : ['reach-needs', page.needPoints];
  for (const [pointId, ids] of points) {
    if (ids.includes(item.id) && map.getSource(source)) map.setFeatureState({ source, id: pointId }, { selected: true });
  }
}

/** The point of the chosen nature area (the edge where it is reached), labelled by its name or class. */
function natureChosen(item) {
  const f = item?.type === 'nature' ? page.reach?.nature?.features?.find((x) => x.id === item.id) : null;
  if (!f?.geometry) return EMPTY;
  const p = f.properties;
  const label = item.label ?? p.name ?? t(`nature.class.${p.class}`);
  return { type: 'FeatureCollection', features: [{ type: 'Feature', geometry: f.geometry, properties: { class: p.class, label } }] };
}
