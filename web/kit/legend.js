// Map legends as text: a list item per entry, a decorative mark (a swatch, a dot, a ring, or
// the shape a map symbol has) and the words that say what it means. Colour is never the only cue.
//
// The facility kinds' shapes (SHAPES) are drawn here as SVG and on the map as SDF images
// (`mark-{shape}`, kit/map.js); the style says which kind has which shape and colour
// (tools/make-styles.mjs). A page tells the legend what its map draws with `setMarkShapes`;
// `legendItem` then draws a colour's mark in the shape the map gives that colour.

import { h, mark } from './dom.js';

// Outlines in a 2 × 2 box around the centre (x right, y down), or a circle's radius; each is
// about as heavy as the others at the same size.
const star = (points, outer, inner) => Array.from({ length: points * 2 }, (_, i) => {
  const r = i % 2 ? inner : outer;
  const a = -Math.PI / 2 + (i * Math.PI) / points;
  return [+(r * Math.cos(a)).toFixed(3), +(r * Math.sin(a)).toFixed(3)];
});
const ARM = 0.34;
export const SHAPES = {
  circle: { radius: 0.86 },
  square: { points: [[-0.78, -0.78], [0.78, -0.78], [0.78, 0.78], [-0.78, 0.78]] },
  triangle: { points: [[0, -0.98], [0.98, 0.8], [-0.98, 0.8]] },
  'triangle-down': { points: [[-0.98, -0.8], [0.98, -0.8], [0, 0.98]] },
  hexagon: { points: [[-0.96, 0], [-0.48, -0.84], [0.48, -0.84], [0.96, 0], [0.48, 0.84], [-0.48, 0.84]] },
  house: { points: [[0, -0.98], [0.86, -0.2], [0.86, 0.86], [-0.86, 0.86], [-0.86, -0.2]] },
  plus: {
    points: [[-ARM, -0.96], [ARM, -0.96], [ARM, -ARM], [0.96, -ARM], [0.96, ARM], [ARM, ARM], [ARM, 0.96],
      [-ARM, 0.96], [-ARM, ARM], [-0.96, ARM], [-0.96, -ARM], [-ARM, -ARM]],
  },
  star: { points: star(5, 1, 0.46).map(([x, y]) => [x, +(y + 0.08).toFixed(3)]) },
};

/** The shape of a `mark-{shape}` image id (or null). */
export const shapeOfImage = (id) => {
  const m = typeof id === 'string' ? /^mark-(.+)$/.exec(id) : null;
  return m && SHAPES[m[1]] ? m[1] : null;
};

// Colour (lower case) → { shape, outline } of what the page's map draws in that colour.
const shapes = new Map();

/** What the map draws: [{ colour, shape, outline }] (a new style replaces the old). */
export function setMarkShapes(entries) {
  shapes.clear();
  for (const { colour, shape, outline } of entries) {
    if (colour && SHAPES[shape]) shapes.set(colour.toLowerCase(), { shape, outline });
  }
}

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs) => {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
};
const outline = (shape, attrs) => (SHAPES[shape].radius
  ? svg('circle', { cx: 0, cy: 0, r: SHAPES[shape].radius, ...attrs })
  : svg('polygon', { points: SHAPES[shape].points.map((p) => p.join(',')).join(' '), ...attrs }));

/**
 * A decorative mark in a symbol's shape (inline SVG, `aria-hidden`): `fill` inside an `outline`
 * ring (the map's white border), and a thin dark edge around both so that the white shows on a
 * white legend. `data-shape` names it (tests and forced colours).
 */
export function shapeMark(className, shape, fill, ring = '#ffffff') {
  const el = svg('svg', {
    class: `${className} shape-mark`, 'aria-hidden': 'true', focusable: 'false',
    viewBox: '-1.35 -1.35 2.7 2.7', 'data-shape': shape,
  });
  el.append(
    outline(shape, { fill: ring, stroke: '#333333', 'stroke-width': 0.62, 'stroke-linejoin': 'round' }),
    outline(shape, { fill: ring, stroke: ring, 'stroke-width': 0.4, 'stroke-linejoin': 'round' }),
    outline(shape, { fill, class: 'shape-fill' }),
  );
  return el;
}

/**
 * `<li><span class="{markClass}" aria-hidden="true"></span>{text}</li>`, the mark in `colour`;
 * a mark in the shape the map gives that colour (setMarkShapes) when it has one.
 */
export function legendItem(markClass, text, colour) {
  const symbol = colour ? shapes.get(String(colour).toLowerCase()) : null;
  const m = symbol ? shapeMark(markClass, symbol.shape, colour, symbol.outline) : mark(markClass, colour);
  return h('li', {}, m, document.createTextNode(text));
}

/** Replaces a legend list's entries; hides it when there are none. Returns whether it shows. */
export function fillLegend(list, items) {
  list.replaceChildren(...items);
  list.hidden = !items.length;
  return !list.hidden;
}
