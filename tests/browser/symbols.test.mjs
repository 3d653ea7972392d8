// Map symbols without colour alone (WCAG 1.4.1) and non-text contrast (1.4.11), issue 23 items
// 6 and 7: facility kinds have shapes as well as colours, walking-time bands have outlines
// ≥ 3:1 against every basemap fill and differ by pattern and a label.
//
// (a) from the style files (tiles/styles/*.json): WCAG contrast ratios of the facility markers
//     (fill and outline) and of the band outlines against every colour the basemap paints;
// (b) in the browser, on / and /?contrast=high: the facility layer's shape per kind, kinds of
//     similar colour in different shapes, the legend's marks in the map's shapes, the bands'
//     patterns and labels, and axe.
//
//   node --test tests/browser/symbols.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  REPO, axeViolations, launchBrowser, openPage, screenshotPath, settle, startServer,
} from './harness.mjs';

const THEMES = ['default', 'high-contrast'];
const style = (theme) => JSON.parse(readFileSync(join(REPO, 'tiles/styles', `${theme}.json`), 'utf8'));

// ---------------------------------------------------------------------------------------------
// Colours: parsing (hex, rgb(a), hsl(a)), relative luminance and contrast (WCAG 2.1).

/** { r, g, b (0–255), a (0–1) } of a CSS colour string, or null when it is not one. */
export function parseColour(s) {
  if (typeof s !== 'string') return null;
  const v = s.trim().toLowerCase();
  let m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/.exec(v);
  if (m) {
    let hex = m[1];
    if (hex.length <= 4) hex = [...hex].map((c) => c + c).join('');
    const n = (i) => parseInt(hex.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: hex.length === 8 ? n(6) / 255 : 1 };
  }
  const parts = (body) => body.split(/[\s,/]+/).filter(Boolean);
  const alpha = (x) => (x === undefined ? 1 : x.endsWith('%') ? parseFloat(x) / 100 : parseFloat(x));
  m = /^rgba?\(([^)]*)\)$/.exec(v);
  if (m) {
    const [r, g, b, a] = parts(m[1]);
    const c = (x) => (x.endsWith('%') ? (parseFloat(x) * 255) / 100 : parseFloat(x));
    return { r: c(r), g: c(g), b: c(b), a: alpha(a) };
  }
  m = /^hsla?\(([^)]*)\)$/.exec(v);
  if (m) {
    const [h, s2, l, a] = parts(m[1]);
    const hue = ((parseFloat(h) % 360) + 360) % 360;
    const sat = parseFloat(s2) / 100;
    const light = parseFloat(l) / 100;
    const k = (n) => (n + hue / 30) % 12;
    const f = (n) => light - sat * Math.min(light, 1 - light) * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1));
    return { r: f(0) * 255, g: f(8) * 255, b: f(4) * 255, a: alpha(a) };
  }
  return null;
}

/** Relative luminance (WCAG 2.1). */
export function luminance({ r, g, b }) {
  const lin = (c) => {
    const x = c / 255;
    return x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** Contrast ratio of two colours (strings or parsed), 1–21. */
export function contrast(x, y) {
  const [a, b] = [x, y].map((c) => luminance(typeof c === 'string' ? parseColour(c) : c));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}

/** `top` at opacity `alpha` over the opaque `under` (both parsed). */
const over = (under, top, alpha) => ({
  r: under.r * (1 - alpha) + top.r * alpha, g: under.g * (1 - alpha) + top.g * alpha,
  b: under.b * (1 - alpha) + top.b * alpha, a: 1,
});
const hex = ({ r, g, b }) => `#${[r, g, b].map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;

/** Every colour string anywhere in a paint value (a colour, or an expression's outputs). */
function coloursIn(v, out = new Set()) {
  if (Array.isArray(v)) for (const x of v) coloursIn(x, out);
  else if (parseColour(v)) out.add(v);
  return out;
}

/** The largest value an opacity or width can take: the outputs of literals, interpolate, step, match, case. */
function largest(v) {
  if (typeof v === 'number') return v;
  if (!Array.isArray(v)) return NaN;
  const outs = (xs) => Math.max(...xs.map(largest).filter((x) => !Number.isNaN(x)));
  switch (v[0]) {
    case 'interpolate': return outs(v.slice(3).filter((_, i) => i % 2 === 1));
    case 'step': return outs([v[2], ...v.slice(3).filter((_, i) => i % 2 === 1)]);
    case 'match': return outs([...v.slice(3, -1).filter((_, i) => i % 2 === 0), v.at(-1)]);
    case 'case': return outs([...v.slice(2, -1).filter((_, i) => i % 2 === 0), v.at(-1)]);
    default: return NaN;
  }
}

// Line layers that cover areas (road surfaces, rivers): counted with the fills. The other lines
// (casings, paths, rails, outlines of fills) are thin lines beside or under the symbols: their
// lowest ratios are reported, not required.
const AREA_LINES = new Set(['road', 'road-bridge', 'waterway']);

/**
 * The basemap's colours: { areas, lines, skipped } as [{ layer, colour }]. Symbol layers (labels,
 * the facilities) are not basemap; layers whose opacity stays below 0.3, and colours more
 * transparent than that, are skipped and named.
 */
function basemapColours(s) {
  const areas = [];
  const lines = [];
  const skipped = [];
  for (const l of s.layers) {
    if (l.type === 'symbol' || l.source === 'facilities') continue;
    const paint = l.paint ?? {};
    const opacityKey = Object.keys(paint).find((k) => /-opacity$/.test(k));
    const opacity = opacityKey ? largest(paint[opacityKey]) : 1;
    if (opacity < 0.3) {
      skipped.push(`${l.id} (opacity at most ${opacity})`);
      continue;
    }
    for (const [key, value] of Object.entries(paint)) {
      if (!/-color$/.test(key)) continue;
      for (const colour of coloursIn(value)) {
        if (parseColour(colour).a < 0.3) {
          skipped.push(`${l.id} ${key} ${colour} (alpha < 0.3)`);
          continue;
        }
        const isArea = key === 'background-color' || key === 'fill-color' || (l.type === 'line' && AREA_LINES.has(l.id));
        (isArea ? areas : lines).push({ layer: `${l.id} ${key}`, colour });
      }
    }
  }
  return { areas, lines, skipped };
}

/** The lowest of `ratio(colour)` over `colours`, with the colour where it is. */
function lowest(colours, ratio) {
  let min = { ratio: Infinity };
  for (const c of colours) {
    const r = ratio(c.colour);
    if (r < min.ratio) min = { ratio: r, at: `${c.layer} ${c.colour}` };
  }
  return min;
}
const fmt = (x) => `${x.ratio.toFixed(2)}:1 (${x.at})`;

/** Kind → value of `['match', ['get', 'kind'], k, v, …, fallback]` (`_default`: the fallback). */
function table(expr) {
  assert.ok(Array.isArray(expr) && expr[0] === 'match', `a match on the kind: ${JSON.stringify(expr)}`);
  const out = {};
  for (let i = 2; i < expr.length - 1; i += 2) for (const k of [expr[i]].flat()) out[k] = expr[i + 1];
  out._default = expr.at(-1);
  return out;
}

// ---------------------------------------------------------------------------------------------
// (a) The style files.

test('parsing colours: hex, rgb(a), hsl(a); contrast as WCAG computes it', () => {
  assert.deepEqual(parseColour('#fff'), { r: 255, g: 255, b: 255, a: 1 });
  assert.deepEqual(parseColour('#0b3a66cc'), { r: 11, g: 58, b: 102, a: 0.8 });
  assert.deepEqual(parseColour('rgba(255, 255, 255, 0.9)'), { r: 255, g: 255, b: 255, a: 0.9 });
  assert.equal(hex(parseColour('hsl(120, 100%, 25%)')), '#008000');
  assert.equal(hex(parseColour('hsla(0 0% 100% / 50%)')), '#ffffff');
  assert.equal(parseColour('hsla(0 0% 100% / 50%)').a, 0.5);
  assert.equal(parseColour('match'), null);
  assert.equal(contrast('#000000', '#ffffff').toFixed(1), '21.0');
  assert.equal(contrast('#777777', '#ffffff').toFixed(2), '4.48');
});

for (const theme of THEMES) {
  test(`${theme}: facility markers ≥ 3:1 against every basemap fill, their outline ≥ 3:1 to their fill`, (t) => {
    const s = style(theme);
    const { areas, lines, skipped } = basemapColours(s);
    assert.ok(areas.length >= 10, `the basemap's fills: ${areas.length}`);
    t.diagnostic(skipped.length ? `skipped (opacity < 0.3): ${skipped.join('; ')}` : `${theme}: no basemap layer or colour below opacity 0.3, none skipped`);
    const layer = s.layers.find((l) => l.id === 'facilities');
    assert.equal(layer.type, 'symbol', 'facilities are symbols (a shape each), not circles');
    const fills = table(layer.paint['icon-color']);
    const outline = layer.paint['icon-halo-color'];
    assert.ok(parseColour(outline), `an outline colour: ${outline}`);
    assert.ok(largest(layer.paint['icon-halo-width']) >= 1.5, 'an outline of 1.5 px or more');
    // The bands' fills lie under the reached facilities: the basemap inside one, two, three bands.
    const bands = s.metadata['naermiljo:bands'];
    const under = [...areas, ...insideBands(areas, bands)];
    let worstEdge = { ratio: Infinity };
    let worstMark = { ratio: Infinity };
    let worstLine = { ratio: Infinity };
    for (const [kind, fill] of Object.entries(fills)) {
      const edge = contrast(fill, outline);
      if (edge < worstEdge.ratio) worstEdge = { ratio: edge, at: `${kind} ${fill} / ${outline}` };
      assert.ok(edge >= 3, `${theme} ${kind}: fill ${fill} against its outline ${outline}: ${edge.toFixed(2)}`);
      // The mark stands out when its fill or its outline does.
      const mark = lowest(under, (bg) => Math.max(contrast(fill, bg), contrast(outline, bg)));
      assert.ok(mark.ratio >= 3, `${theme} ${kind} (${fill} in ${outline}) against ${fmt(mark)}`);
      if (mark.ratio < worstMark.ratio) worstMark = { ...mark, at: `${kind}: ${mark.at}` };
      const line = lowest(lines, (bg) => Math.max(contrast(fill, bg), contrast(outline, bg)));
      if (line.ratio < worstLine.ratio) worstLine = { ...line, at: `${kind}: ${line.at}` };
    }
    t.diagnostic(`${theme}: lowest fill/outline ${fmt(worstEdge)}; lowest marker/basemap fill ${fmt(worstMark)} `
      + `(${under.length} colours); thin lines, not required: ${fmt(worstLine)}`);
  });

  test(`${theme}: band outlines ≥ 3:1 against every basemap fill, also inside the bands; bands differ by pattern`, (t) => {
    const s = style(theme);
    const { areas, lines } = basemapColours(s);
    const bands = s.metadata?.['naermiljo:bands'];
    assert.ok(bands, 'the style says how the bands are drawn (metadata naermiljo:bands)');
    const under = [...areas, ...insideBands(areas, bands)];
    const line = lowest(under, (bg) => contrast(bands['line-color'], bg));
    assert.ok(line.ratio >= 3, `${theme} band outline ${bands['line-color']} against ${fmt(line)}`);
    const onCasing = contrast(bands['line-color'], bands['casing-color']);
    assert.ok(onCasing >= 3, `the outline on its casing: ${onCasing.toFixed(2)}`);
    // The casing: where the line crosses a dark line of the basemap (a black road edge in high contrast).
    const cased = lowest(lines, (bg) => Math.max(contrast(bands['line-color'], bg), contrast(bands['casing-color'], bg)));
    const label = contrast(bands['text-color'], bands['text-halo-color']);
    assert.ok(label >= 4.5, `the line labels' text on their halo: ${label.toFixed(2)}`);
    // Bands told apart by more than the fill: each band its own dash pattern.
    const dashes = bands['line-dasharray'].map((d) => JSON.stringify(d));
    assert.equal(new Set(dashes).size, dashes.length, `a pattern per band: ${dashes}`);
    t.diagnostic(`${theme}: lowest band outline/basemap fill ${fmt(line)} (${under.length} colours); `
      + `outline on its casing ${onCasing.toFixed(2)}:1; outline or casing against thin lines, not required: ${fmt(cased)}; `
      + `label ${label.toFixed(2)}:1`);
  });
}

/** The basemap's fills under one, two and three band fills (nested bands). */
function insideBands(areas, bands) {
  const fill = parseColour(bands['fill-color']);
  const out = [];
  for (const a of areas) {
    let c = parseColour(a.colour);
    for (let n = 1; n <= 3; n++) {
      c = over(c, fill, bands['fill-opacity']);
      out.push({ layer: `${a.layer} in ${n} band${n > 1 ? 's' : ''}`, colour: hex(c) });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// (b) In the browser.

let server;
let browser;
let origin;

before(async () => {
  server = await startServer();
  origin = server.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function assertClean(p) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures, [], 'failed requests');
  assert.deepEqual(p.errors, [], 'errors in the page');
}

/** What the page's map and legend draw for the facility kinds. */
const facilityLook = (page) => page.evaluate(() => {
  const { map } = window.app;
  const layer = map.getStyle().layers.find((l) => l.id === 'facilities');
  const rendered = map.queryRenderedFeatures({ layers: ['facilities'] }).map((f) => f.properties.kind);
  const images = layer.layout['icon-image'];
  return {
    type: layer.type,
    image: images,
    colour: layer.paint['icon-color'],
    outline: layer.paint['icon-halo-color'],
    proposalImage: map.getStyle().layers.find((l) => l.id === 'proposal')?.layout?.['icon-image'] ?? null,
    kinds: [...document.querySelectorAll('#kinds input[name=kind]')].map((i) => i.value),
    rendered,
    hasImage: Object.fromEntries([...new Set(images.filter((x) => typeof x === 'string' && x.startsWith('mark-')))]
      .map((id) => [id, map.hasImage(id)])),
    legend: [...document.querySelectorAll('#legend-kinds li')].map((li) => {
      const svg = li.querySelector('svg.shape-mark');
      return {
        text: li.textContent.trim(),
        shape: svg?.dataset.shape ?? null,
        fill: svg ? getComputedStyle(svg.querySelector('.shape-fill')).fill : null,
        hidden: li.closest('#legend')?.hidden ?? true,
      };
    }),
  };
});

const rgb = (c) => {
  const { r, g, b } = parseColour(c);
  return `rgb(${Math.round(r)}, ${Math.round(g)}, ${Math.round(b)})`;
};

for (const [path, theme] of [['/', 'default'], ['/?contrast=high', 'high-contrast']]) {
  test(`${path}: facility kinds by shape on the map and in the legend; axe`, async (t) => {
    const p = await openPage(browser, origin, { viewport: { width: 1280, height: 800 } });
    const { page } = p;
    await page.goto(`${origin}${path}${path.includes('?') ? '&' : '?'}center=10.7594,59.9293&zoom=14.5`);
    await settle(page);
    assert.equal(await page.evaluate(() => window.app.map.getStyle().metadata['naermiljo:theme']), theme);
    const look = await facilityLook(page);
    assert.equal(look.type, 'symbol', 'the facility layer draws shapes (icon images)');
    const images = table(look.image);
    const colours = table(look.colour);
    assert.ok(look.kinds.length > 0, 'the filters list the kinds');

    // Every kind has an image of its own shape and a colour; a kind's image names a known shape.
    for (const k of look.kinds) {
      assert.ok(images[k], `an image for ${k}`);
      assert.match(images[k], /^mark-[a-z-]+$/, `${k}: ${images[k]}`);
      assert.ok(colours[k], `a colour for ${k}`);
      assert.notEqual(images[k], look.proposalImage, `${k} is not drawn like a proposal`);
    }
    // Kinds that differ by colour alone would be told apart by hue only: never in one shape.
    // "Alike" here: under 3:1 to each other (every pair of the kinds' colours, from the style).
    let alike = 0;
    for (const [i, a] of look.kinds.entries()) {
      for (const b of look.kinds.slice(i + 1)) {
        if (colours[a] === colours[b]) continue;
        const ratio = contrast(colours[a], colours[b]);
        if (ratio >= 3) continue;
        alike += 1;
        assert.notEqual(images[a], images[b], `${a} (${colours[a]}) and ${b} (${colours[b]}) are ${ratio.toFixed(2)}:1 apart and share ${images[a]}`);
      }
    }
    assert.ok(alike > 0, 'some kinds are alike in colour (the check has something to check)');
    const shapes = new Set(look.kinds.map((k) => images[k]));
    const colourGroups = new Set(look.kinds.map((k) => colours[k]));
    assert.equal(shapes.size, colourGroups.size, 'a shape per colour');
    t.diagnostic(`${theme}: ${look.kinds.length} kinds, ${colourGroups.size} colours, ${shapes.size} shapes (${[...shapes].join(', ')}); `
      + `${alike} pairs of kinds under 3:1 to each other, each pair in two shapes`);

    // Drawn: the view holds facilities, and the images of those the map draws are on the map.
    assert.ok(look.rendered.length > 0, 'the map draws facilities in this view');
    for (const k of new Set(look.rendered)) assert.ok(look.hasImage[images[k]], `the image ${images[k]} (${k}) is on the map`);

    // The legend: a line per colour of the kinds (kinds of one colour share a line), each mark
    // in the shape and colour the map gives those kinds.
    const shown = look.legend.filter((l) => !l.hidden);
    assert.equal(shown.length, colourGroups.size, `legend lines: ${shown.map((l) => l.text).join(' | ')}`);
    for (const line of shown) {
      const kind = look.kinds.find((k) => rgb(colours[k]) === line.fill);
      assert.ok(kind, `the legend's mark ${line.text} is in a kind's colour (${line.fill})`);
      assert.equal(`mark-${line.shape}`, images[kind], `the legend's mark for ${line.text} has the map's shape`);
    }
    assert.deepEqual(await axeViolations(page), [], `axe on ${path}`);
    await page.screenshot({ path: screenshotPath(`symbols-${theme}.png`) });
    assertClean(p);
    await p.close();
  });

  test(`${path}: walking-time bands by pattern and label, legend swatches alike; reached facilities by shape; axe`, async (t) => {
    const p = await openPage(browser, origin, { viewport: { width: 1280, height: 800 } });
    const { page } = p;
    await page.goto(`${origin}${path}${path.includes('?') ? '&' : '?'}point=10.759436,59.929261`);
    await settle(page);
    await page.waitForFunction(() => window.app.reach && document.querySelectorAll('.result').length > 0);
    await page.evaluate(() => window.app.idle());
    const look = await page.evaluate(async () => {
      const { map } = window.app;
      const data = await map.getSource('reach-bands').getData();
      const line = map.getStyle().layers.find((l) => l.id === 'reach-band-line');
      const facilities = map.getStyle().layers.find((l) => l.id === 'facilities');
      const reached = map.getStyle().layers.find((l) => l.id === 'reach-facility');
      return {
        features: data.features.map((f) => f.properties),
        dash: line.paint['line-dasharray'],
        lineColour: line.paint['line-color'],
        labels: map.queryRenderedFeatures({ layers: ['reach-band-label'] }).map((f) => f.properties.label),
        swatches: [...document.querySelectorAll('#legend-bands li')].map((li) => {
          const s = getComputedStyle(li.querySelector('.swatch'));
          return { text: li.textContent.trim(), style: s.borderTopStyle, colour: s.borderTopColor };
        }),
        facilityImage: JSON.stringify(facilities.layout['icon-image']),
        reachedType: reached.type,
        reachedImage: JSON.stringify(reached.layout['icon-image']),
        reachedDrawn: map.queryRenderedFeatures({ layers: ['reach-facility'] }).length,
        minutes: window.app.reach.bands.features.map((f) => f.properties.minutes).sort((a, b) => a - b),
      };
    });
    assert.ok(look.minutes.length > 1, `bands: ${look.minutes}`);
    // Each band knows its place (0 = the shortest walk) and its label, from /api/reach's minutes.
    const byBand = look.features.map((f) => [f.band, f.minutes]).sort((a, b) => a[0] - b[0]);
    assert.deepEqual(byBand.map(([, m]) => m), look.minutes);
    for (const f of look.features) assert.match(f.label, new RegExp(`^${f.minutes}\\s*min`), `the label of ${f.minutes} minutes`);
    // Each band its own dash pattern on the map.
    const dash = (band) => {
      const d = look.dash;
      if (!Array.isArray(d) || d[0] !== 'match') return JSON.stringify(d);
      for (let i = 2; i < d.length - 1; i += 2) if (d[i] === band) return JSON.stringify(d[i + 1]);
      return JSON.stringify(d.at(-1));
    };
    const patterns = look.features.map((f) => dash(f.band));
    assert.equal(new Set(patterns).size, patterns.length, `a pattern per band: ${patterns.join(' ')}`);
    assert.ok(look.labels.length > 0, 'the bands\' lines carry their labels on the map');
    for (const l of new Set(look.labels)) assert.ok(look.features.some((f) => f.label === l), l);
    // The legend: a swatch per band, each with its own line style, in the map's line colour.
    assert.equal(look.swatches.length, look.minutes.length, 'a legend line per band');
    const styles = look.swatches.map((s) => s.style);
    assert.equal(new Set(styles).size, styles.length, `a swatch style per band: ${styles}`);
    assert.equal(styles[0], 'solid', 'the first band is solid, as on the map');
    for (const [i, s] of look.swatches.entries()) {
      assert.equal(s.colour, rgb(look.lineColour), `swatch ${i} in the line's colour`);
      assert.equal(dash(i) === '["literal",[1,0]]', s.style === 'solid', `band ${i}: solid on the map as in the legend`);
    }
    // The reached facilities: the style's shapes.
    assert.equal(look.reachedType, 'symbol');
    assert.equal(look.reachedImage, look.facilityImage, 'the reached facilities have the shapes of the style');
    assert.ok(look.reachedDrawn > 0, 'the reached facilities are drawn');
    t.diagnostic(`${theme}: bands ${look.minutes.join(', ')} min, patterns ${patterns.join(' ')}, legend ${styles.join(', ')}, `
      + `${look.labels.length} labels drawn`);
    assert.deepEqual(await axeViolations(page), [], `axe on ${path} with a result`);
    await page.screenshot({ path: screenshotPath(`symbols-bands-${theme}.png`) });
    assertClean(p);
    await p.close();
  });
}
