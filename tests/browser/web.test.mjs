// The residents' map (/) and the embeddable map (/embed) in a real browser (issue 7), and the
// served styles (issue 5). One server and one Chromium for the whole file, a page per test.
//
//   npm ci --prefix web && node --test tests/browser/
//
// Screenshots of the main states go to target/screenshots/.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import {
  axeViolations, launchBrowser, openPage, screenshotPath, settle, startServer, webRequire,
} from './harness.mjs';

const ADDRESS_TYPED = 'thorvald meyers gate 10';
const ADDRESS = 'Thorvald Meyers gate 10, 0555 Oslo';

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

/** Every request stayed on the server, none failed, and the page logged no error. */
function assertClean(p) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures, [], 'failed requests');
  assert.deepEqual(p.errors, [], 'errors in the page');
}

async function open(path, options) {
  const p = await openPage(browser, origin, options);
  await p.page.goto(`${origin}${path}`);
  await settle(p.page);
  return p;
}

/** Types an address and picks the first suggestion with the keyboard only. */
async function pickAddress(page, typed = ADDRESS_TYPED) {
  await page.keyboard.type(typed);
  await page.waitForSelector('#address-options [role=option]', { state: 'visible' });
  await page.keyboard.press('ArrowDown');
  const active = await page.evaluate(() => {
    const input = document.getElementById('address');
    const id = input.getAttribute('aria-activedescendant');
    return { expanded: input.getAttribute('aria-expanded'), id, text: id && document.getElementById(id).textContent };
  });
  assert.equal(active.expanded, 'true');
  assert.ok(active.id, 'ArrowDown makes an option active (aria-activedescendant)');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.reach && document.querySelectorAll('.result').length > 0);
  await page.evaluate(() => window.app.idle());
  return active.text;
}

async function apiReach(point, { minutes = 15, profile = 'walk', kind } = {}) {
  const q = new URLSearchParams({ lon: String(point[0]), lat: String(point[1]), minutes: String(minutes), profile });
  if (kind) q.set('kind', kind);
  const r = await fetch(`${origin}/api/reach?${q}`);
  assert.equal(r.status, 200, `/api/reach?${q}`);
  return r.json();
}

/** [id, walking minutes] of every list row, in list order. */
const listed = (page) => page.$$eval('.result[data-id]', (rows) => rows.map((r) => [
  Number(r.dataset.id), Number(r.querySelector('.result-minutes').dataset.minutes),
]));

/**
 * The search hint names the example address the server put in the page's head (a real address
 * of its data, not a fixed Oslo one), and the address search finds it.
 */
async function assertExampleHint(page) {
  const example = await page.getAttribute('meta[name="naermiljo-example-address"]', 'content');
  assert.ok(example?.trim(), 'the page carries an example address');
  const hint = await page.textContent('#address-hint');
  assert.ok(hint.includes(example), `the hint names ${example}: ${hint}`);
  assert.doesNotMatch(hint, /\{/, 'no placeholder left');
  const found = await (await fetch(`${origin}/api/addresses/search?limit=8&q=${encodeURIComponent(example)}`)).json();
  const labels = found.features.map((f) => f.properties.label);
  assert.ok(labels.some((l) => l.startsWith(example)), `the search finds ${example}: ${labels}`);
}

const resultUrl = () => `/?address=${encodeURIComponent(ADDRESS)}&point=10.759436,59.929261`;

test('the served styles validate, use only this server and draw their labels from served fonts', async () => {
  const { validateStyleMin } = webRequire('@maplibre/maplibre-gl-style-spec');
  for (const name of ['default', 'high-contrast']) {
    const r = await fetch(`${origin}/styles/${name}.json`);
    assert.equal(r.status, 200, `/styles/${name}.json`);
    const text = await r.text();
    assert.ok(!text.includes('{base}'), `${name}: {base} is replaced by the origin`);
    const style = JSON.parse(text);
    assert.deepEqual(validateStyleMin(style).map((e) => e.message), [], `${name} validates`);
    assert.equal(style.glyphs, undefined, `${name}: no glyph server; labels come from font-faces`);
    const urls = [
      ...Object.values(style.sources).map((s) => s.url ?? s.tiles).flat(),
      ...Object.values(style['font-faces']).flat().map((f) => (typeof f === 'string' ? f : f.url)),
    ];
    for (const u of urls) {
      assert.ok(u.startsWith(`${origin}/`), `${name}: ${u} is on this server`);
      const got = await fetch(u);
      assert.equal(got.status, 200, u);
      await got.arrayBuffer();
    }
  }
  const basemap = await (await fetch(`${origin}/tiles/basemap.json`)).json();
  assert.match(basemap.attribution ?? '', /© OpenStreetMap contributors/);
  for (const u of basemap.tiles) assert.ok(u.startsWith(`${origin}/`), u);
});

test('keyboard only: search an address, get bands on the map and the list /api/reach gives', async (t) => {
  const p = await open('/', { viewport: { width: 1280, height: 800 } });
  const { page } = p;
  await page.screenshot({ path: screenshotPath('resident-start.png') });
  assert.deepEqual(await axeViolations(page), [], 'axe on / before a search');
  await assertExampleHint(page);

  // The first skip link leads to the search field.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#address');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'address');

  // Escape closes the suggestions, and a second Escape empties the field.
  await page.keyboard.type('thorvald');
  await page.waitForSelector('#address-options [role=option]', { state: 'visible' });
  await page.keyboard.press('Escape');
  assert.equal(await page.getAttribute('#address', 'aria-expanded'), 'false');
  assert.equal(await page.isHidden('#address-options'), true);
  await page.keyboard.press('Escape');
  assert.equal(await page.inputValue('#address'), '');

  const started = Date.now();
  const picked = await pickAddress(page);
  const toList = Date.now() - started;
  assert.equal(picked, ADDRESS);
  assert.equal(await page.inputValue('#address'), ADDRESS);
  await page.waitForFunction(() => /forslag|Valgt/.test(document.getElementById('announcer').textContent));

  // Bands on the map: the source holds 5, 10 and 15 minutes and the fill layer draws them.
  const bands = await page.evaluate(async () => {
    const data = await map.getSource('reach-bands').getData();
    return {
      minutes: data.features.map((f) => f.properties.minutes).sort((a, b) => a - b),
      rendered: map.queryRenderedFeatures({ layers: ['reach-band-fill'] }).length,
    };
  });
  assert.deepEqual(bands.minutes, [5, 10, 15]);
  assert.ok(bands.rendered > 0, 'the bands are drawn');

  // The list equals /api/reach for the same point: same places, same order, same minutes.
  const point = await page.evaluate(() => window.app.state.point);
  const api = await apiReach(point);
  const expected = api.facilities.features.map((f) => [f.id, f.properties.walk_minutes]);
  assert.ok(expected.length > 10, 'the demo address reaches places');
  assert.deepEqual(await listed(page), expected);
  // ... and the map shows exactly the listed places.
  const onMap = await page.evaluate(async () => (await map.getSource('reach-facilities').getData()).features.map((f) => f.id));
  assert.deepEqual(onMap, expected.map(([id]) => id));
  assert.match(await page.textContent('#status'), new RegExp(`^${expected.length} steder innen 15 minutter`));

  const timings = await page.evaluate(() => window.app.timings);
  t.diagnostic(`address chosen to list shown: ${timings.chooseToListMs.toFixed(0)} ms (/api/reach ${timings.reachMs.toFixed(0)} ms); typing to list: ${toList} ms`);
  await page.screenshot({ path: screenshotPath('resident-result.png') });

  // A place in the list, chosen with the keyboard, is marked on the map.
  await page.focus('.result[data-id] .result-name');
  await page.keyboard.press('Enter');
  await page.waitForSelector('.result[data-id].selected');
  const marked = await page.evaluate(() => {
    const id = Number(document.querySelector('.result[data-id].selected').dataset.id);
    return map.getFeatureState({ source: 'reach-facilities', id }).selected;
  });
  assert.equal(marked, true);

  // axe-core on the open result, with the filters open, and with the embed dialog open.
  assert.deepEqual(await axeViolations(page), [], 'axe on an open result');
  await page.click('#filters > summary');
  assert.deepEqual(await axeViolations(page), [], 'axe with the filters open');
  await page.click('#embed-open');
  await page.waitForSelector('#embed-dialog[open]');
  assert.deepEqual(await axeViolations(page), [], 'axe with the embed dialog open');
  assertClean(p);
  await p.close();
});

/** The suggestions on show: per group its heading (the group's name) and its options' text. */
const suggestionGroups = (page) => page.$$eval('#address-options [role=group]', (groups) => groups.map((g) => ({
  heading: document.getElementById(g.getAttribute('aria-labelledby'))?.textContent,
  headingIsOption: g.querySelector('.combobox-group-label')?.getAttribute('role') === 'option',
  options: [...g.querySelectorAll('[role=option]')].map((o) => o.textContent),
})));

/** Types `text` in the emptied search box and waits for its suggestions. */
async function typeSearch(page, text) {
  await page.fill('#address', '');
  await page.focus('#address');
  await page.keyboard.type(text);
  await page.waitForFunction((t) => document.getElementById('address').value === t
    && document.querySelector('#address-options [role=option]') && !document.getElementById('address-options').hidden, text);
}

/** ArrowDown until the active option's text starts with `label`; then Enter. */
async function chooseByKeyboard(page, label) {
  for (let i = 0; i < 20; i++) {
    await page.keyboard.press('ArrowDown');
    const text = await page.evaluate(() => {
      const id = document.getElementById('address').getAttribute('aria-activedescendant');
      return id ? document.getElementById(id).textContent : '';
    });
    if (text.startsWith(label)) {
      await page.keyboard.press('Enter');
      return text;
    }
  }
  return assert.fail(`no suggestion starts with ${label}`);
}

/** Waits until the map has stopped moving and gives its centre, zoom and bounds. */
async function mapView(page) {
  await page.waitForFunction(() => !map.isMoving());
  return page.evaluate(() => {
    const b = map.getBounds();
    return { center: map.getCenter().toArray(), zoom: map.getZoom(), bounds: [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()] };
  });
}

const heard = (page, re) => page.waitForFunction((src) => new RegExp(src).test(document.getElementById('announcer').textContent), re.source);

test('one search box: areas, places and addresses under their group headings; the map goes to the choice', async () => {
  // Real names of the demo's data, as /api/search gives them.
  const areas = await (await fetch(`${origin}/api/search?q=Sagene`)).json();
  const area = areas.features.find((f) => f.properties.group === 'district' && f.properties.label === 'Sagene');
  assert.ok(area?.bbox, 'the demo has the bydel Sagene, with a bbox');
  assert.equal(area.properties.level, 'bydel');
  const places = await (await fetch(`${origin}/api/search?q=${encodeURIComponent('Sagene skole')}`)).json();
  const place = places.features.find((f) => f.properties.group === 'facility' && f.properties.label === 'Sagene skole');
  assert.ok(place, 'the demo has Sagene skole');

  const p = await open('/', { viewport: { width: 1024, height: 700 } });
  const { page } = p;
  assert.equal(await page.textContent('#address-label'), 'Adresse eller sted');

  // A district's name: its group heading «Områder» in the API's order, headings never options.
  await typeSearch(page, 'Sagene');
  const groups = await suggestionGroups(page);
  const heading = { address: 'Adresser', facility: 'Steder', district: 'Områder' };
  assert.deepEqual(groups.map((g) => g.heading), areas.groups.filter((g) => g.count > 0).map((g) => heading[g.group]));
  assert.ok(groups.every((g) => !g.headingIsOption && g.options.length > 0));
  assert.equal(await page.locator('#address-options [role=option]').count(), areas.features.length);
  const areaGroup = groups.find((g) => g.heading === 'Områder');
  assert.ok(areaGroup.options.includes('Sagene, Bydel'), `the bydel under «Områder»: ${areaGroup.options}`);
  assert.ok(groups.find((g) => g.heading === 'Steder').options.some((o) => o.startsWith('Sagene skole, Skole')));
  assert.deepEqual(await axeViolations(page), [], 'axe with the grouped suggestions open');
  await page.screenshot({ path: screenshotPath('resident-search-groups.png') });

  // Chosen with the keyboard: the map fits the district, it is announced, no reach is asked.
  await chooseByKeyboard(page, 'Sagene, Bydel');
  await heard(page, /Sagene, Bydel, vises på kartet\./);
  const [w, s, e, n] = area.bbox;
  let view = await mapView(page);
  assert.ok(view.bounds[0] <= w + 1e-4 && view.bounds[1] <= s + 1e-4 && view.bounds[2] >= e - 1e-4 && view.bounds[3] >= n - 1e-4,
    `the view ${view.bounds} holds the district ${area.bbox}`);
  assert.ok(view.center[0] > w && view.center[0] < e && view.center[1] > s && view.center[1] < n, 'centred on the district');
  assert.equal(await page.evaluate(() => window.app.state.point), null, 'a district is not a walking origin');

  // A facility by name: under «Steder», the map goes to it at street level, announced.
  await typeSearch(page, 'sagene skole');
  assert.equal((await suggestionGroups(page))[0].heading, 'Steder');
  await chooseByKeyboard(page, 'Sagene skole');
  await heard(page, /Sagene skole, Skole, vises på kartet\./);
  view = await mapView(page);
  const [lon, lat] = place.geometry.coordinates;
  assert.ok(Math.abs(view.center[0] - lon) < 1e-5 && Math.abs(view.center[1] - lat) < 1e-5, `centre ${view.center} is the school's`);
  assert.ok(view.zoom >= 15.9, `zoom ${view.zoom}`);
  assert.equal(await page.evaluate(() => window.app.state.point), null);

  // An address still gives the walking reach from it, as before.
  await page.fill('#address', '');
  await page.focus('#address');
  assert.equal(await pickAddress(page), ADDRESS);
  const point = await page.evaluate(() => window.app.state.point);
  assert.deepEqual(point, [10.759436, 59.929261]);
  assert.match(await page.textContent('#status'), /steder innen 15 minutter/);

  // The school, now within reach: selected on the map and in the list; the origin stays.
  await typeSearch(page, 'sagene skole');
  await chooseByKeyboard(page, 'Sagene skole');
  await page.waitForSelector(`.result[data-id="${place.properties.id}"].selected`);
  await heard(page, /Sagene skole, Skole, \d+ minutt(er)? å gå\./);
  assert.equal(await page.evaluate((id) => map.getFeatureState({ source: 'reach-facilities', id }).selected, place.properties.id), true);
  view = await mapView(page);
  assert.ok(Math.abs(view.center[0] - lon) < 1e-5 && Math.abs(view.center[1] - lat) < 1e-5);
  assert.deepEqual(await page.evaluate(() => window.app.state.point), point, 'the origin did not change');
  assert.equal(await page.inputValue('#address'), 'Sagene skole');

  // English headings and levels; 320 px wide with the list open: nothing scrolls sideways.
  await page.click('#lang-list a[hreflang=en]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.setViewportSize({ width: 320, height: 640 });
  await typeSearch(page, 'Sagene');
  const en = await suggestionGroups(page);
  assert.ok(en.some((g) => g.heading === 'Areas' && g.options.includes('Sagene, City district')), JSON.stringify(en));
  assert.ok(en.some((g) => g.heading === 'Places'));
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 320, 'no sideways scrolling at 320 px');
  const box = await page.$eval('#address-options', (l) => { const r = l.getBoundingClientRect(); return { left: r.left, right: r.right }; });
  assert.ok(box.left >= 0 && box.right <= 320, `the suggestions fit: ${JSON.stringify(box)}`);
  assert.deepEqual(await axeViolations(page), [], 'axe at 320 px with the list open, in English');
  await page.screenshot({ path: screenshotPath('resident-search-groups-320px.png') });
  assertClean(p);
  await p.close();

  // /embed has the same box: a place chosen there moves its map too.
  const q = await open('/embed');
  await typeSearch(q.page, 'sagene skole');
  await chooseByKeyboard(q.page, 'Sagene skole');
  await heard(q.page, /Sagene skole, Skole, vises på kartet\./);
  view = await mapView(q.page);
  assert.ok(Math.abs(view.center[0] - lon) < 1e-5 && Math.abs(view.center[1] - lat) < 1e-5);
  assertClean(q);
  await q.close();
});

test('first load: map drawn, nothing from another origin, bytes downloaded', async (t) => {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 800 } });
  const { page } = p;
  const responses = [];
  p.context.on('requestfinished', async (r) => {
    const sizes = await r.sizes().catch(() => null);
    if (sizes) responses.push({ url: r.url(), bytes: sizes.responseBodySize + sizes.responseHeadersSize });
  });
  const t0 = Date.now();
  await page.goto(`${origin}/`);
  await settle(page);
  const ms = Date.now() - t0;
  // Labels are placed with the served Noto Sans (font-faces), not a system font.
  await page.evaluate(() => map.jumpTo({ center: [10.7522, 59.9225], zoom: 16 }));
  await page.evaluate(() => window.app.idle());
  const labels = await page.evaluate(() => map.queryRenderedFeatures({ layers: ['road-label'] }).length);
  assert.ok(labels > 0, 'street names are drawn');
  assert.ok(p.requests.some((u) => u.includes('/fonts/noto-sans-latin-400-normal.woff2')), 'the label font comes from /fonts/');
  // MapLibre registers each font-faces entry it uses as a FontFace; the woff2 files load.
  const faces = await page.evaluate(() => [...document.fonts]
    .filter((f) => f.family.startsWith('maplibre-gl-font-face')).map((f) => f.status));
  assert.ok(faces.length >= 2 && faces.every((s) => s === 'loaded'), `map fonts: ${faces}`);
  assert.ok(p.requests.some((u) => /\/tiles\/basemap\//.test(u)), 'basemap tiles come from this server');
  assert.ok(p.requests.some((u) => u.includes('/vendor/maplibre-gl/maplibre-gl-worker.mjs')), 'the worker is recorded too');
  const attribution = await page.textContent('.maplibregl-ctrl-attrib');
  assert.match(attribution, /© OpenStreetMap contributors/);
  // Whose data is shown, as the API says it: the demo region is OpenStreetMap's only.
  const served = await (await fetch(`${origin}/api`)).json();
  for (const text of served.attribution.split(', ')) assert.ok(attribution.includes(text), `${text} in ${attribution}`);
  assert.doesNotMatch(attribution, /Kartverket/, 'no publisher whose data the demo does not hold');
  assert.match(await page.textContent('.site-footer'), /© OpenStreetMap contributors/);
  await page.screenshot({ path: screenshotPath('resident-labels-z16.png') });
  const total = responses.reduce((a, r) => a + r.bytes, 0);
  t.diagnostic(`navigation to idle map: ${ms} ms; ${responses.length} responses, ${(total / 1024).toFixed(0)} KiB on the wire`);
  assertClean(p);
  await p.close();
});

test('axe-core finds no WCAG 2.1 A/AA violation on /embed (the other pages: in the tests that open them)', async () => {
  const p = await open('/embed');
  assert.deepEqual(await axeViolations(p.page), [], '/embed');
  await assertExampleHint(p.page);
  await p.page.click('#filters > summary');
  assert.deepEqual(await axeViolations(p.page), [], '/embed with the filters open');
  assertClean(p);
  await p.close();
});

test('a shared link reopens the same state', async () => {
  const a = await open('/');
  await a.page.click('#filters > summary');
  await a.page.selectOption('#minutes', '10');
  await a.page.check('#profiles input[value=slow]');
  await a.page.uncheck('#kinds input[value=park]');
  await a.page.focus('#address');
  await pickAddress(a.page);
  assert.equal(await a.page.evaluate(() => window.app.reach.profile), 'slow');
  assert.equal(await a.page.evaluate(() => window.app.reach.minutes), 10);
  assert.ok(!(await a.page.evaluate(() => window.app.reach.facilities.features.some((f) => f.properties.kind === 'park'))));
  await a.page.click('.maplibregl-ctrl-zoom-in');
  await a.page.evaluate(() => window.app.idle());
  await a.page.waitForFunction(() => /zoom=/.test(location.search) && /kind=/.test(location.search));
  const href = await a.page.evaluate(() => location.href);
  const snapshot = (page) => page.evaluate(() => ({
    address: document.getElementById('address').value,
    minutes: document.getElementById('minutes').value,
    profile: document.querySelector('#profiles input:checked').value,
    kinds: [...document.querySelectorAll('#kinds input:checked')].map((i) => i.value),
    center: map.getCenter().toArray().map((v) => v.toFixed(5)),
    zoom: map.getZoom().toFixed(2),
    status: document.getElementById('status').textContent,
  }));
  const before = await snapshot(a.page);
  const rows = await listed(a.page);
  assert.equal(before.profile, 'slow');
  assert.ok(!before.kinds.includes('park'));
  assertClean(a);
  await a.close();

  const b = await open(href.slice(origin.length));
  await b.page.waitForFunction(() => document.querySelectorAll('.result').length > 0);
  assert.deepEqual(await snapshot(b.page), before);
  assert.deepEqual(await listed(b.page), rows);
  const api = await apiReach(await b.page.evaluate(() => window.app.state.point), {
    minutes: 10, profile: 'slow', kind: before.kinds.join(','),
  });
  assert.deepEqual(rows, api.facilities.features.map((f) => [f.id, f.properties.walk_minutes]));
  assertClean(b);
  await b.close();
});

test('the embed dialog writes iframe code that loads the same view', async () => {
  const p = await open(resultUrl());
  await p.page.click('#embed-open');
  await p.page.waitForSelector('#embed-dialog[open]');
  await p.page.check('input[name=embed-list][value=bottom]');
  const code = await p.page.inputValue('#embed-code');
  assert.match(code, /^<iframe title="[^"]+" src="http:\/\/127\.0\.0\.1:\d+\/embed\?[^"]*list=bottom[^"]*"/);
  await p.page.screenshot({ path: screenshotPath('embed-dialog.png') });
  const rows = await listed(p.page);
  await p.page.keyboard.press('Escape');
  await p.page.waitForSelector('#embed-dialog:not([open])', { state: 'attached' });
  assert.equal(await p.page.evaluate(() => document.activeElement.id), 'embed-open', 'focus returns to the button');
  assertClean(p);
  await p.close();

  // A stand-in for the municipality's web page.
  const host = await openPage(browser, origin, { viewport: { width: 900, height: 700 } });
  await host.page.setContent(`<!doctype html><html lang="nb"><head><title>Drammen kommune</title></head>
    <body><h1>Nærmiljø</h1>${code}</body></html>`);
  const frameHandle = await host.page.waitForSelector('iframe');
  const frame = await frameHandle.contentFrame();
  await settle(host.page, frame);
  await frame.waitForFunction(() => document.querySelectorAll('.result').length > 0);
  assert.equal(await frame.evaluate(() => document.body.dataset.mode), 'embed');
  assert.equal(await frame.evaluate(() => document.body.dataset.list), 'bottom');
  assert.deepEqual(await listed(frame), rows);
  const drawn = await frame.evaluate(() => map.queryRenderedFeatures({ layers: ['reach-band-fill'] }).length);
  assert.ok(drawn > 0, 'the iframe draws the bands');
  await host.page.screenshot({ path: screenshotPath('embed-in-page.png') });
  assert.deepEqual(await axeViolations(frame), [], 'axe on /embed with a result and list=bottom');
  assertClean(host);
  await host.close();
});

test('/embed reads layers, bbox, center, zoom and list', async () => {
  const p = await open(`/embed?${resultUrl().slice(2)}&layers=facilities&list=none&center=10.7594,59.9293&zoom=14&bbox=10.72,59.90,10.78,59.94`);
  const s = await p.page.evaluate(() => ({
    bands: map.getLayoutProperty('reach-band-fill', 'visibility'),
    facilities: map.getLayoutProperty('reach-facility', 'visibility'),
    zoom: map.getZoom(),
    center: map.getCenter().toArray(),
    bounds: map.getMaxBounds()?.toArray(),
    listOpen: document.getElementById('results-details').open,
    header: !!document.querySelector('.site-header'),
    legend: document.getElementById('legend-bands').hidden,
  }));
  assert.equal(s.bands, 'none');
  assert.equal(s.facilities, 'visible');
  assert.equal(s.zoom, 14);
  assert.deepEqual(s.center.map((v) => v.toFixed(4)), ['10.7594', '59.9293']);
  assert.ok(s.bounds, 'bbox restricts the map');
  assert.equal(s.listOpen, false, 'list=none keeps the list behind a button');
  assert.equal(s.header, false, 'no site chrome');
  assert.equal(s.legend, true, 'no band legend without bands');
  await p.page.screenshot({ path: screenshotPath('embed-list-none.png') });
  assert.deepEqual(await axeViolations(p.page), [], 'axe on /embed with a result and list=none');
  assertClean(p);
  await p.close();
});

test('click on the map or use its centre; English; high contrast', async () => {
  const p = await open('/?center=10.7594,59.9293&zoom=15');
  const { page } = p;
  const box = await page.locator('#map').boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForFunction(() => window.app.reach && document.querySelectorAll('.result').length > 0);
  assert.equal(await page.inputValue('#address'), '');
  assert.match(await page.textContent('#status'), /fra punkt 59,929\d*° N, 10,759\d*° Ø/);
  const clicked = await page.evaluate(() => window.app.state.point);
  assert.ok(Math.abs(clicked[0] - 10.7594) < 0.001 && Math.abs(clicked[1] - 59.9293) < 0.001, `${clicked}`);

  // English, by the switch; the URL keeps it.
  await page.click('#lang-list a[hreflang=en]');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.textContent('#page-heading'), 'What can you reach on foot?');
  assert.match(await page.textContent('#status'), /places within 15 minutes \(normal walk\) of point/);
  assert.match(await page.evaluate(() => location.search), /lang=en/);
  assert.equal(await page.getAttribute('.maplibregl-ctrl-zoom-in', 'aria-label'), 'Zoom in');

  // High contrast: another style, the result stays.
  await page.click('#contrast');
  await page.waitForFunction(() => map.getStyle()?.metadata?.['naermiljo:theme'] === 'high-contrast');
  await page.evaluate(() => window.app.idle());
  assert.equal(await page.getAttribute('#contrast', 'aria-pressed'), 'true');
  assert.match(await page.evaluate(() => location.search), /contrast=high/);
  const bands = await page.evaluate(() => map.queryRenderedFeatures({ layers: ['reach-band-fill'] }).length);
  assert.ok(bands > 0, 'bands survive the style switch');
  await page.screenshot({ path: screenshotPath('resident-high-contrast-en.png') });

  // The keyboard alternative to clicking: the map's centre.
  await page.evaluate(() => map.jumpTo({ center: [10.7536, 59.9227] }));
  await page.click('#use-center');
  await page.waitForFunction(() => Math.abs(window.app.state.point[0] - 10.7536) < 1e-6 && window.app.reach);
  assertClean(p);
  await p.close();
});

test('320 px wide and 400 % zoom: no sideways scrolling, map and list usable', async () => {
  const p = await open(resultUrl(), { viewport: { width: 320, height: 640 } });
  // 320 × 640, then 1280 × 1024 at 400 % (320 × 256 CSS pixels).
  for (const viewport of [{ width: 320, height: 640 }, { width: 320, height: 256 }]) {
    await p.page.setViewportSize(viewport);
    await p.page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    await p.page.evaluate(() => window.app.idle());
    const m = await p.page.evaluate(() => ({
      scroll: document.documentElement.scrollWidth,
      map: document.getElementById('map').getBoundingClientRect().height,
      canvas: map.getCanvas().getBoundingClientRect().width,
      rows: document.querySelectorAll('.result').length,
    }));
    assert.ok(m.scroll <= viewport.width, `page is ${m.scroll} px wide at ${viewport.width}×${viewport.height}`);
    assert.ok(m.map >= 200, `map is ${m.map} px high`);
    assert.ok(m.canvas <= viewport.width, `map is ${m.canvas} px wide`);
    assert.ok(m.rows > 0);
    if (viewport.height === 640) await p.page.screenshot({ path: screenshotPath('resident-320px.png') });
  }
  assertClean(p);
  await p.close();
});

// ---------------------------------------------------------------------------------------------
// Activities and volunteer needs (issues 6 and 7), with the demo's example data

const WEEKDAYS_NB = ['søndag', 'mandag', 'tirsdag', 'onsdag', 'torsdag', 'fredag', 'lørdag'];
const MONTHS_NB = ['januar', 'februar', 'mars', 'april', 'mai', 'juni', 'juli', 'august', 'september',
  'oktober', 'november', 'desember'];
const WEEKDAYS_EN = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September',
  'October', 'November', 'December'];

/**
 * How a session start the API gives (RFC 3339 with Oslo's offset, e.g.
 * 2026-12-01T17:00:00+01:00) reads in the list. Worked out from the string's own Oslo wall-clock
 * digits, not with Intl: «tirsdag 1. desember kl. 17.00», "Tuesday 1 December at 17:00".
 */
function sessionText(iso, lang = 'nb') {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):\d{2}([+-]\d{2}:\d{2})$/.exec(iso);
  assert.ok(m, `next_session ${iso} is RFC 3339 with an offset`);
  assert.ok(['+01:00', '+02:00'].includes(m[6]), `${iso} has Oslo's offset`);
  const weekday = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])).getUTCDay();
  return lang === 'en'
    ? `${WEEKDAYS_EN[weekday]} ${+m[3]} ${MONTHS_EN[+m[2] - 1]} at ${m[4]}:${m[5]}`
    : `${WEEKDAYS_NB[weekday]} ${+m[3]}. ${MONTHS_NB[+m[2] - 1]} kl. ${m[4]}.${m[5]}`;
}

async function apiGet(path, params) {
  const q = new URLSearchParams(params);
  const r = await fetch(`${origin}${path}?${q}`);
  assert.equal(r.status, 200, `${path}?${q}`);
  return r.json();
}

/** [id, title, walking minutes] of every activity (or volunteer need) row, in list order. */
const programmeRows = (frame, kind = 'activity') => frame.$$eval(`.result[data-${kind}-id]`, (rows, k) => rows.map((r) => [
  Number(r.dataset[`${k}Id`]), r.querySelector('.result-name, .result-title').textContent,
  Number(r.querySelector('.result-minutes').dataset.minutes),
]), kind);

test('activities: filters in the URL and the API query; the list equals /api/reach, next sessions in Oslo time', async () => {
  const p = await open(resultUrl(), { viewport: { width: 1280, height: 900 } });
  const { page } = p;
  await page.waitForFunction(() => window.app.reach?.activities && document.querySelectorAll('.result[data-activity-id]').length > 0);
  await page.click('#filters > summary');
  await page.waitForSelector('#activity-filters', { state: 'visible' });

  // Category and age: by keyboard, as a resident would.
  await page.focus('#category');
  await page.selectOption('#category', 'sport');
  // An age that is not one is said so, tied to the field, and not sent.
  await page.fill('#age', '200');
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => document.getElementById('age').getAttribute('aria-invalid') === 'true');
  assert.match(await page.textContent('#age-error'), /mellom 0 og 120/);
  assert.equal(await page.getAttribute('#age', 'aria-describedby'), 'age-error age-hint');
  assert.doesNotMatch(await page.evaluate(() => location.search), /age=/);
  await page.fill('#age', '10');
  await page.keyboard.press('Tab');
  await page.waitForFunction(() => /category=sport/.test(location.search) && /age=10/.test(location.search)
    && /category=sport/.test(window.app.reachQuery) && /age=10/.test(window.app.reachQuery));
  await page.evaluate(() => window.app.idle());
  const point = await page.evaluate(() => window.app.state.point);
  const params = { lon: String(point[0]), lat: String(point[1]), minutes: '15', profile: 'walk', category: 'sport', age: '10' };
  const api = await apiGet('/api/reach', params);
  const expected = api.activities.features;
  assert.ok(expected.length >= 3, `the demo has sport for a 10-year-old near the address (${expected.length})`);
  const unfiltered = await apiGet('/api/reach', { lon: params.lon, lat: params.lat, minutes: '15', profile: 'walk' });
  assert.ok(expected.length < unfiltered.activities.features.length, 'the filters narrow the activities');
  assert.deepEqual(await programmeRows(page), expected.map((f) => [f.id, f.properties.title, f.properties.walk_minutes]),
    'the list: same activities, same order, same walking minutes as /api/reach');

  // Each row: the next session in Norwegian, Oslo time, and the facts a resident needs.
  const rows = await page.$$eval('.result[data-activity-id]', (els) => els.map((r) => ({
    datetime: r.querySelector('time.next-session')?.dateTime ?? null,
    when: r.querySelector('.result-when').textContent,
    text: r.textContent,
    badge: r.querySelector('.badge-example')?.firstChild?.textContent ?? null,
  })));
  for (const [i, f] of expected.entries()) {
    const a = f.properties;
    const row = rows[i];
    assert.ok(a.next_session, `${a.title} has a next session`);
    assert.equal(row.datetime, a.next_session.start);
    const end = a.next_session.end.slice(11, 16).replace(':', '.');
    assert.equal(row.when, `Neste gang: ${sessionText(a.next_session.start)}–${end}`);
    assert.ok(row.text.includes(a.organisation.name), `${a.title}: organiser`);
    assert.ok(row.text.includes(a.free ? 'Gratis' : 'kr'), `${a.title}: price`);
    assert.ok(row.text.includes('Idrett'), `${a.title}: category`);
    assert.equal(row.badge, a.example ? 'Eksempel' : null, `${a.title}: the example badge`);
  }

  // The map shows the same activities: points (shared places carry a count) for every row.
  const onMap = await page.evaluate(async () => {
    const data = await map.getSource('reach-activities').getData();
    return {
      total: data.features.reduce((n, f) => n + f.properties.count, 0),
      rendered: map.queryRenderedFeatures({ layers: ['reach-activity'] }).length,
    };
  });
  assert.equal(onMap.total, expected.length);
  assert.ok(onMap.rendered > 0, 'activity points are drawn');

  // A row shows its activity on the map and says so.
  await page.click('.result[data-activity-id] .result-name');
  await page.waitForFunction(() => /minutt(er)? å gå/.test(document.getElementById('announcer').textContent));
  await page.evaluate(() => window.app.idle());
  await page.click('#filters > summary'); // fold the filters: the list gets the room
  await page.click('.result[data-activity-id] .result-details > summary');
  await page.screenshot({ path: screenshotPath('resident-activities.png') });
  assert.deepEqual(await axeViolations(page), [], 'axe with activities listed');

  // Weekday and free of charge go to the API too.
  await page.click('#filters > summary');
  await page.selectOption('#weekday', '6');
  await page.check('#free');
  await page.waitForFunction(() => /weekday=6/.test(location.search) && /free=true/.test(location.search)
    && /weekday=6/.test(window.app.reachQuery) && /free=true/.test(window.app.reachQuery));
  const api2 = await apiGet('/api/reach', { ...params, weekday: '6', free: 'true' });
  assert.ok(api2.activities.features.length > 0 && api2.activities.features.length < expected.length,
    `free Saturday sport for a 10-year-old: ${api2.activities.features.length} of ${expected.length}`);
  assert.deepEqual(await programmeRows(page), api2.activities.features.map((f) => [f.id, f.properties.title, f.properties.walk_minutes]));

  // The link opens /embed with the same filters and activities (the site reads the same URL
  // state: see unit.test.mjs and 'a shared link reopens the same state').
  const search = await page.evaluate(() => location.search);
  assertClean(p);
  await p.close();
  const path = `/embed${search}`;
  const q = await open(path);
  await q.page.waitForFunction(() => document.querySelectorAll('.result[data-activity-id], .list-activities .empty').length > 0);
  assert.equal(await q.page.inputValue('#category'), 'sport', path);
  assert.equal(await q.page.inputValue('#age'), '10', path);
  assert.equal(await q.page.inputValue('#weekday'), '6', path);
  assert.equal(await q.page.isChecked('#free'), true, path);
  assert.deepEqual(await programmeRows(q.page), api2.activities.features.map((f) => [f.id, f.properties.title, f.properties.walk_minutes]), path);
  assert.deepEqual(await axeViolations(q.page), [], 'axe on /embed with activities');
  assertClean(q);
  await q.close();
});

test('activities in English: the next session in English, Oslo time', async () => {
  const p = await open(`${resultUrl()}&lang=en&category=music`);
  await p.page.waitForFunction(() => document.querySelectorAll('.result[data-activity-id]').length > 0);
  const point = await p.page.evaluate(() => window.app.state.point);
  const api = await apiGet('/api/reach', { lon: String(point[0]), lat: String(point[1]), minutes: '15', category: 'music' });
  const when = await p.page.$$eval('.result[data-activity-id] .result-when', (els) => els.map((e) => e.textContent));
  assert.deepEqual(when, api.activities.features.map((f) => {
    const s = f.properties.next_session;
    return `Next: ${sessionText(s.start, 'en')}–${s.end.slice(11, 16)}`;
  }));
  assert.equal(await p.page.$eval('.badge-example', (b) => b.firstChild.textContent), 'Example');
  assertClean(p);
  await p.close();
});

test('activities by time of day and accessibility: the list equals /api/reach, the URL, /embed and the embed code keep them', async () => {
  // Between the demo's two wheelchair-accessible activities (a morning and an evening one).
  const point = [10.764, 59.911];
  const p = await open(`/?point=${point.join(',')}`, { viewport: { width: 1280, height: 900 } });
  const { page } = p;
  await page.waitForFunction(() => document.querySelectorAll('.result[data-activity-id]').length > 0);
  await page.click('#filters > summary');
  await page.waitForSelector('#access', { state: 'visible' });
  const base = { lon: String(point[0]), lat: String(point[1]), minutes: '15', profile: 'walk' };
  const rowsOf = (api) => api.activities.features.map((f) => [f.id, f.properties.title, f.properties.walk_minutes]);
  /** Waits until the page shows the result of exactly these filters; its list is the API's. */
  const shows = async (params, search) => {
    const query = new URLSearchParams({ ...base, ...params }).toString().replace(/%2C/gi, ',');
    await page.waitForFunction((q) => window.app.reachQuery === q, query);
    assert.match(await page.evaluate(() => location.search), search, 'the URL keeps the filters');
    const api = await apiGet('/api/reach', { ...base, ...params });
    assert.deepEqual(await programmeRows(page), rowsOf(api), `the list for ${query}`);
    return api;
  };

  const all = await apiGet('/api/reach', base);
  await page.focus('#time-of-day');
  await page.selectOption('#time-of-day', 'evening');
  const evening = await shows({ time_of_day: 'evening' }, /[?&]time_of_day=evening(&|$)/);
  assert.ok(evening.activities.features.length > 1 && evening.activities.features.length < all.activities.features.length,
    `evening narrows the activities: ${evening.activities.features.length} of ${all.activities.features.length}`);

  // The checkboxes are named by their labels and reached by keyboard.
  const wheelchair = page.getByRole('checkbox', { name: 'Rullestol' });
  await wheelchair.focus();
  await page.keyboard.press('Space');
  const both = await shows({ time_of_day: 'evening', accessibility: 'wheelchair' }, /time_of_day=evening&accessibility=wheelchair(&|$)/);
  assert.ok(both.activities.features.length >= 1 && both.activities.features.length < evening.activities.features.length,
    `wheelchair-accessible evening activities: ${both.activities.features.length}`);
  assert.ok(both.activities.features.every((f) => f.properties.accessibility.includes('wheelchair')));
  assert.match(await page.textContent('.list-filters'), /kveld, tilgjengelig med rullestol/);

  // Every listed feature must be promised: none promises both of these.
  await page.getByRole('checkbox', { name: 'Trinnfri adkomst' }).check();
  const none = await shows({ time_of_day: 'evening', accessibility: 'wheelchair,step_free' }, /accessibility=wheelchair,step_free(&|$)/);
  assert.equal(none.activities.features.length, 0);
  assert.match(await page.textContent('.list-activities .empty'), /passer filtrene/);
  await page.getByRole('checkbox', { name: 'Trinnfri adkomst' }).uncheck();
  await shows({ time_of_day: 'evening', accessibility: 'wheelchair' }, /time_of_day=evening&accessibility=wheelchair(&|$)/);
  assert.deepEqual(await axeViolations(page, { context: '#filters' }), [], 'axe on the filters panel');

  // The embed dialog's code carries them.
  await page.click('#embed-open');
  await page.waitForSelector('#embed-dialog[open]');
  assert.match(await page.inputValue('#embed-code'), /\/embed\?[^"]*time_of_day=evening&amp;accessibility=wheelchair/);
  await page.keyboard.press('Escape');
  const search = await page.evaluate(() => location.search);
  assertClean(p);
  await p.close();

  // The URL reopens them, on /embed too.
  const q = await open(`/embed${search}`);
  await q.page.waitForFunction(() => document.querySelectorAll('.result[data-activity-id]').length > 0);
  assert.equal(await q.page.inputValue('#time-of-day'), 'evening');
  assert.deepEqual(await q.page.$$eval('#access input:checked', (els) => els.map((e) => e.value)), ['wheelchair']);
  assert.deepEqual(await programmeRows(q.page), rowsOf(both), `/embed${search}`);
  assertClean(q);
  await q.close();
});

test('volunteer needs: their own layer and list; "Jeg kan hjelpe" posts an offer and never shows it again', async () => {
  const p = await open(resultUrl(), { viewport: { width: 1280, height: 900 } });
  const { page } = p;
  // Every response the page receives, to look for the personal data afterwards.
  const bodies = [];
  p.context.on('response', async (r) => {
    const body = await r.body().catch(() => null);
    if (body) bodies.push({ url: r.url(), body });
  });
  await page.waitForFunction(() => document.querySelectorAll('.result[data-need-id]').length > 0);
  const point = await page.evaluate(() => window.app.state.point);
  const api = await apiGet('/api/reach', { lon: String(point[0]), lat: String(point[1]), minutes: '15' });
  const needs = api.volunteer_needs.features;
  assert.ok(needs.length > 0, 'the demo has volunteer needs near the address');
  assert.deepEqual(await programmeRows(page, 'need'), needs.map((f) => [f.id, f.properties.title, f.properties.walk_minutes]));
  const onMap = await page.evaluate(async () => (await map.getSource('reach-needs').getData()).features
    .reduce((n, f) => n + f.properties.count, 0));
  assert.equal(onMap, needs.length);
  assert.equal(await page.$eval('.result[data-need-id] .badge-example', (b) => b.firstChild.textContent), 'Eksempel');

  // The layer switch hides the needs on the map and in the list, and the URL keeps it.
  await page.click('#filters > summary');
  await page.uncheck('#layers input[value=volunteers]');
  await page.waitForFunction(() => /layers=bands,facilities,activities(&|$)/.test(location.search));
  assert.equal(await page.evaluate(() => map.getLayoutProperty('reach-need', 'visibility')), 'none');
  assert.equal(await page.$('.list-volunteers'), null);
  await page.check('#layers input[value=volunteers]');
  await page.waitForFunction(() => !/layers=/.test(location.search) && document.querySelector('.list-volunteers'));
  assert.equal(await page.evaluate(() => map.getLayoutProperty('reach-need', 'visibility')), 'visible');
  await page.click('#filters > summary');

  // The form opens from the keyboard; focus goes to its first field.
  const need = needs[0];
  await page.focus(`.result[data-need-id="${need.id}"] .help-button`);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#help-dialog[open]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'help-name');
  assert.match(await page.textContent('#help-need'), new RegExp(need.properties.title));
  assert.deepEqual(await axeViolations(page), [], 'axe with the help form open');

  // Sent empty: the errors are listed in an alert and tied to their fields; focus on the first.
  await page.click('#help-send');
  await page.waitForSelector('#help-errors:not([hidden])');
  const invalid = await page.evaluate(() => ({
    focus: document.activeElement.id,
    role: document.getElementById('help-errors').getAttribute('role'),
    items: document.querySelectorAll('#help-errors li').length,
    name: [document.getElementById('help-name').getAttribute('aria-invalid'), document.getElementById('help-name').getAttribute('aria-describedby')],
    contact: document.getElementById('help-contact').getAttribute('aria-invalid'),
    message: document.getElementById('help-message').getAttribute('aria-invalid'),
  }));
  assert.deepEqual(invalid, {
    focus: 'help-name', role: 'alert', items: 2, name: ['true', 'help-name-error help-name-hint'], contact: 'true', message: null,
  });
  assert.deepEqual(await axeViolations(page), [], 'axe with the form showing errors');

  // The server's own 422: a contact that passes the page's check but not the server's (Rust's
  // trim also drops U+0085 NEXT LINE, JavaScript's does not). Its field error is shown like the
  // page's own, and focus goes to that field.
  const offersUrl = `/api/collections/volunteer-needs/items/${need.id}/offers`;
  const fieldState = () => page.evaluate(() => ({
    focus: document.activeElement.id,
    items: [...document.querySelectorAll('#help-errors li')].map((li) => li.textContent),
    invalid: ['name', 'contact', 'message'].filter((n) => document.getElementById(`help-${n}`).getAttribute('aria-invalid') === 'true'),
    contactError: document.getElementById('help-contact-error').textContent,
    describedBy: document.getElementById('help-contact').getAttribute('aria-describedby'),
  }));
  await page.fill('#help-name', 'Kari Nordmann');
  await page.fill('#help-contact', 'ab\u0085\u0085\u0085');
  assert.deepEqual(await page.$$('#help-errors li'), [], 'the page itself finds nothing wrong any more');
  const [rejected] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith(offersUrl)),
    page.click('#help-send'),
  ]);
  assert.equal(rejected.status(), 422);
  assert.match(rejected.headers()['content-type'], /problem\+json/);
  assert.deepEqual((await rejected.json()).errors.map((e) => e.field), ['contact']);
  await page.waitForFunction(() => document.getElementById('help-contact').getAttribute('aria-invalid') === 'true');
  const serverError = 'Skriv e-postadressen eller telefonnummeret ditt (5–200 tegn).';
  assert.deepEqual(await fieldState(), {
    focus: 'help-contact', items: [serverError], invalid: ['contact'], contactError: serverError,
    describedBy: 'help-contact-error help-contact-hint',
  });
  assert.equal(await page.isVisible('#help-done'), false, 'no thanks for an offer that was not taken');

  // The need is gone meanwhile (a 404, faked here): said plainly, no field blamed, focus on Send.
  await page.fill('#help-contact', 'kari@example.org');
  await page.route(`**${offersUrl}`, (route) => route.fulfill({
    status: 404, contentType: 'application/problem+json',
    body: JSON.stringify({ type: 'https://naermiljo.example/problems/not-found', title: 'Not Found', status: 404 }),
  }), { times: 1 });
  await page.click('#help-send');
  await page.waitForFunction(() => /finnes ikke lenger/.test(document.getElementById('help-errors').textContent));
  assert.deepEqual(await fieldState(), {
    focus: 'help-send', items: ['Dette behovet finnes ikke lenger. Takk for at du ville hjelpe!'], invalid: [],
    contactError: '', describedBy: 'help-contact-hint',
  });
  assert.equal(await page.getAttribute('#help-errors', 'role'), 'alert');
  await page.unroute(`**${offersUrl}`);
  // Both were expected: the browser's log of them and the test harness's record of them go.
  const expectedFailure = (s) => s.includes(offersUrl) && /HTTP (422|404)/.test(s);
  assert.equal(p.failures.filter(expectedFailure).length, 2, p.failures.join('\n'));
  p.failures.splice(0, p.failures.length, ...p.failures.filter((f) => !expectedFailure(f)));
  p.errors.splice(0, p.errors.length, ...p.errors.filter((e) => !/status of (422|404)/.test(e)));

  const name = 'Åsmund Testperson Hjelpevillig';
  const contact = 'asmund.hjelpevillig@example.org';
  const message = 'Jeg kan tirsdager.';
  await page.fill('#help-name', name);
  await page.fill('#help-contact', contact);
  await page.fill('#help-message', message);
  await page.screenshot({ path: screenshotPath('volunteer-form.png') });
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/collections/volunteer-needs/items/${need.id}/offers`)),
    page.click('#help-send'),
  ]);
  assert.deepEqual(request.postDataJSON(), { name, contact, message });
  assert.equal((await request.response()).status(), 202);
  await page.waitForSelector('#help-done:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'help-done', 'focus moves to the thanks');
  assert.match(await page.textContent('#help-done'), /Takk!/);
  await page.screenshot({ path: screenshotPath('volunteer-thanks.png') });

  // Nothing the resident wrote stays in the page …
  const shown = await page.evaluate(() => document.body.innerText + [...document.querySelectorAll('input, textarea')].map((i) => i.value).join(' '));
  for (const s of [name, contact, message]) assert.ok(!shown.includes(s), `the page does not show ${s}`);
  await page.keyboard.press('Escape');
  await page.waitForSelector('#help-dialog:not([open])', { state: 'attached' });
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains('help-button')), true, 'focus returns to the button');

  // … and no response the page received carries it, also after the need is asked for again.
  await page.click('#filters > summary');
  await page.selectOption('#minutes', '20');
  await page.waitForFunction(() => window.app.reach?.minutes === 20);
  await page.evaluate(() => window.app.idle());
  assert.ok(bodies.some((b) => b.url.includes('/api/reach')), 'responses were recorded');
  for (const s of [name, contact, message]) {
    const leaks = bodies.filter((b) => b.body.includes(Buffer.from(s))).map((b) => b.url);
    assert.deepEqual(leaks, [], `responses that contain ${s}`);
  }
  assertClean(p);
  await p.close();
});
