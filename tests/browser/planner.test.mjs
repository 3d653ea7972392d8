// The planners' page (/planner, issue 8 point 5) in a real browser: the table equals
// /api/coverage, sorting by keyboard, scenario mode agrees with POST /api/coverage/scenario,
// URL state, English, the hexagon layer, high contrast, 320 px reflow, axe, and no request off the server.
// District levels ("Districts as planners know them"): the level chooser, drill-down from the
// table and the map, the breadcrumb and Escape back up, the level and parent in the URL,
// withheld and summed residents' figures.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/planner.test.mjs
//
// Screenshots go to target/screenshots/planner*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { axeViolations, launchBrowser, openPage, screenshotPath, settle, startServer } from './harness.mjs';

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
  await p.page.evaluate(() => window.app.settled());
  return p;
}

async function api(path, init) {
  const r = await fetch(`${origin}${path}`, init);
  assert.equal(r.status, 200, path);
  return r.json();
}

/** The table's rows: district id and the raw numbers of the chosen columns. */
const tableRows = (page, keys = ['share']) => page.$$eval('#table-body tr', (trs, keys) => trs.map((tr) => {
  const row = { id: tr.dataset.districtId };
  for (const k of keys) {
    const td = tr.querySelector(`[data-key="${k}"]`);
    row[k] = td?.dataset.value === undefined ? null : Number(td.dataset.value);
  }
  return row;
}), keys);

/** What the high-contrast switch changes, read from the page and its map. */
const contrastState = (page) => page.evaluate(() => ({
  style: window.app.map.getStyle()?.metadata?.['naermiljo:theme'],
  line: window.app.map.getPaintProperty('pl-district-line', 'line-color'),
  lineWidth: window.app.map.getPaintProperty('pl-district-line', 'line-width').at(-1),
  label: window.app.map.getPaintProperty('pl-district-label', 'text-color'),
  halo: window.app.map.getPaintProperty('pl-district-label', 'text-halo-color'),
  pressed: document.getElementById('contrast').getAttribute('aria-pressed'),
  body: document.body.classList.contains('high-contrast'),
}));
const HIGH_CONTRAST = {
  style: 'high-contrast', line: '#000000', lineWidth: 3.2, label: '#000000', halo: '#ffffff', pressed: 'true', body: true,
};

test('the table equals /api/coverage, sorts by keyboard, links its CSV, and passes axe', async () => {
  const p = await open('/planner?kind=school&minutes=10', { viewport: { width: 1280, height: 900 } });
  const { page } = p;
  const expected = await api('/api/coverage?kind=school&minutes=10');
  assert.ok(expected.districts.length > 1);

  const rows = await tableRows(page, ['share', 'addresses', 'covered']);
  assert.equal(rows.length, expected.districts.length, 'one row per district');
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const d of expected.districts) {
    const r = byId.get(d.district_id);
    assert.ok(r, `a row for ${d.district_id}`);
    assert.equal(r.share, d.share, `share of ${d.district_id}`);
    assert.equal(r.addresses, d.addresses, `addresses of ${d.district_id}`);
    assert.equal(r.covered, d.covered, `covered of ${d.district_id}`);
  }
  const total = await page.$eval('#table-foot [data-key="share"]', (td) => Number(td.dataset.value));
  assert.equal(total, expected.total.share, 'the total row');

  // The map draws the districts with a percentage label each (colour is not the only cue).
  const labels = await page.evaluate(() => window.app.map.queryRenderedFeatures({ layers: ['pl-district-label'] })
    .map((f) => f.properties.label));
  assert.ok(labels.length > 0, 'district labels are placed');
  assert.ok(labels.every((l) => /\d\s?%/.test(l)), `labels carry a percentage: ${labels.slice(0, 3)}`);
  const attribution = await page.$eval('.maplibregl-ctrl-attrib', (el) => el.innerText);
  assert.match(attribution, /© OpenStreetMap contributors/);
  // Whose data is shown, as the API says it: the demo region is OpenStreetMap's only.
  const served = await (await fetch(`${origin}/api`)).json();
  for (const text of served.attribution.split(', ')) assert.ok(attribution.includes(text), `${text} in ${attribution}`);
  assert.doesNotMatch(attribution, /Kartverket/, 'no publisher whose data the demo does not hold');
  assert.match(await page.textContent('.site-footer'), /© OpenStreetMap contributors/);

  await page.screenshot({ path: screenshotPath('planner.png') });
  assert.deepEqual(await axeViolations(page), [], 'axe on /planner');

  // Sort by share with the keyboard: Tab reaches the column header button, Enter sorts.
  const shareButton = page.locator('th[data-key="share"] button');
  await page.focus('th[data-key="addresses"] button');
  await page.keyboard.press('Shift+Tab'); // back to the district column …
  await page.keyboard.press('Tab'); // … and forward again: the headers are in the tab order
  assert.equal(await page.evaluate(() => document.activeElement.closest('th')?.dataset.key), 'addresses');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.closest('th')?.dataset.key), 'share');
  await page.keyboard.press('Enter');
  assert.equal(await shareButton.evaluate((b) => b.closest('th').getAttribute('aria-sort')), 'ascending');
  assert.equal(await page.$eval('th[data-key="district"]', (th) => th.getAttribute('aria-sort')), null);
  const ascending = (await tableRows(page)).map((r) => r.share);
  assert.deepEqual(ascending, [...ascending].sort((a, b) => a - b), 'rows by share, ascending');
  assert.ok(ascending[0] < ascending.at(-1), 'the shares differ');
  await page.keyboard.press('Space');
  assert.equal(await shareButton.evaluate((b) => b.closest('th').getAttribute('aria-sort')), 'descending');
  const descending = (await tableRows(page)).map((r) => r.share);
  assert.deepEqual(descending, [...descending].sort((a, b) => b - a), 'rows by share, descending');
  assert.equal(await page.evaluate(() => document.activeElement.closest('th')?.dataset.key), 'share', 'focus stays');
  assert.match(await page.evaluate(() => location.search), /sort=share:desc/);

  // The chart follows the table's order and writes every value as text.
  const chart = await page.$$eval('#chart li', (lis) => lis.map((li) => [li.dataset.districtId, li.querySelector('.bar-value').textContent]));
  const order = (await tableRows(page)).map((r) => r.id);
  assert.deepEqual(chart.map((c) => c[0]), order);
  assert.ok(chart.every((c) => /%/.test(c[1])));

  // The CSV link is the API's.
  const href = await page.$eval('#csv-link', (a) => a.getAttribute('href'));
  assert.equal(href, '/api/coverage?kind=school&minutes=10&profile=walk&format=csv');
  const csv = await (await fetch(`${origin}${href}`)).text();
  const lines = csv.trim().split('\n');
  assert.equal(lines.length, expected.districts.length + 2, 'a header, the districts and the total');
  assert.match(lines.at(-1), /^total,/);

  // High contrast, by keyboard: the high-contrast basemap, black and wider district outlines,
  // black labels on a solid halo, and the URL keeps it. (A link that opens it, and axe in that
  // mode: 'URL state, English, …' below.)
  await page.focus('#contrast');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.map.getStyle()?.metadata?.['naermiljo:theme'] === 'high-contrast'
    && window.app.map.getLayer('pl-district-label'));
  await page.evaluate(() => window.app.idle());
  assert.deepEqual(await contrastState(page), HIGH_CONTRAST);
  assert.ok(await page.evaluate(() => window.app.map.queryRenderedFeatures({ layers: ['pl-district-label'] }).length > 0),
    'district labels are placed on the high-contrast map');
  assert.match(await page.evaluate(() => location.search), /contrast=high/);
  assert.match(await page.$eval('#residents-link', (a) => a.getAttribute('href')), /contrast=high/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath('planner-high-contrast.png') });

  assertClean(p);
  await p.close();
});

test('scenario mode: a proposed facility raises coverage as the scenario API says, never lowers it', async () => {
  const gaps = await api('/api/coverage/gaps?kind=school&minutes=10&limit=1');
  assert.ok(gaps.features.length, 'Oslo has an address beyond 10 minutes of a school');
  const [lon, lat] = gaps.features[0].geometry.coordinates;
  const p = await open(`/planner?kind=school&minutes=10&center=${lon},${lat}&zoom=15`, { viewport: { width: 1280, height: 900 } });
  const { page } = p;

  // Keyboard only: the scenario toggle, then "add at the map's centre".
  await page.focus('#scenario-toggle');
  await page.keyboard.press('Enter');
  assert.equal(await page.$eval('#scenario-toggle', (b) => b.getAttribute('aria-pressed')), 'true');
  await page.focus('#add-center');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.scenario?.request.add.length === 1);
  await page.evaluate(() => window.app.settled());
  await page.evaluate(() => window.app.idle());
  assert.equal(await page.locator('.proposed-marker').count(), 1, 'a marker for the proposal');

  const added = await page.evaluate(() => window.app.proposals);
  const direct = await api('/api/coverage/scenario', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'school', minutes: 10, profile: 'walk', add: added }),
  });
  const rows = await tableRows(page, ['share', 'share_after', 'covered_after', 'change']);
  const after = new Map(direct.after.districts.map((d) => [d.district_id, d]));
  let changed = 0;
  for (const r of rows) {
    const d = after.get(r.id);
    assert.ok(d, `the API has ${r.id}`);
    assert.equal(r.share_after, d.share, `after of ${r.id} as the API says`);
    assert.equal(r.covered_after, d.covered, `covered after of ${r.id}`);
    assert.ok(r.share_after >= r.share, `${r.id}: adding a facility never lowers the share`);
    if (r.share_after > r.share) changed += 1;
  }
  assert.ok(changed >= 1, 'at least one district gains');
  const totals = await page.$$eval('#table-foot td', (tds) => Object.fromEntries(tds.map((td) => [td.dataset.key, Number(td.dataset.value)])));
  assert.equal(totals.share_after, direct.after.total.share);
  assert.ok(totals.change > 0);
  assert.match(await page.$eval('#totals', (el) => el.textContent), /\+/);
  assert.match(await page.evaluate(() => location.search), /scenario=1&add=/);

  await page.screenshot({ path: screenshotPath('planner-scenario.png') });
  assert.deepEqual(await axeViolations(page), [], 'axe on /planner with a scenario');

  // Close a facility from the list: it is sent as a removal, and listed with a way back.
  const first = await page.$eval('#close-select', (s) => s.options[1].value);
  await page.selectOption('#close-select', first);
  await page.click('#close-selected');
  await page.waitForFunction((id) => window.app.scenario?.request.remove.includes(Number(id)), first);
  assert.equal(await page.locator('#closed-list button').count(), 1);

  // A click on the map proposes another facility; its list button removes it again.
  const box = await page.locator('#map canvas').boundingBox();
  await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.7);
  await page.waitForFunction(() => window.app.proposals.length === 2);
  await page.locator('#proposed-list button').nth(1).click();
  await page.waitForFunction(() => window.app.proposals.length === 1 && window.app.scenario?.request.add.length === 1);
  assert.equal(await page.evaluate(() => window.app.scenario.request.level), 'bydel', 'the scenario is asked at the level shown');

  // Inside a bydel (its table button), the scenario is asked at the postcode level; the table's
  // before and after come from that answer, and the total is the bydel's own row.
  const district = gaps.features[0].properties.district_id;
  await page.focus(`#table-body button.drill[data-district-id="${district}"]`);
  await page.keyboard.press('Enter');
  await page.waitForFunction((d) => window.app.coverage?.parent_id === d && window.app.scenario?.request.level === 'postcode', district);
  await page.evaluate(() => window.app.settled());
  const request = await page.evaluate(() => window.app.scenario.request);
  const inside = await api('/api/coverage/scenario', {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request),
  });
  const afterInside = new Map(inside.after.districts.map((d) => [d.district_id, d]));
  const rowsInside = await tableRows(page, ['share_after', 'covered_after']);
  assert.equal(rowsInside.length, inside.after.districts.filter((d) => d.parent_id === district).length, 'the areas inside the bydel');
  for (const r of rowsInside) {
    const d = afterInside.get(r.id);
    assert.equal(d?.parent_id, district, `${r.id} is inside the bydel`);
    assert.equal(r.share_after, d.share, `after of ${r.id} as the API says`);
  }
  const bydelAfter = inside.levels.find((l) => l.level === 'bydel').after.districts.find((d) => d.district_id === district);
  assert.equal(await page.$eval('#table-foot [data-key="share_after"]', (td) => Number(td.dataset.value)), bydelAfter.share,
    'the total is the bydel after the change');

  assertClean(p);
  await p.close();
});

test('URL state, English, high contrast, the gap hexagons and a 320 px wide screen', async () => {
  const gaps = await api('/api/coverage/gaps?kind=naermiljoanlegg&minutes=5&profile=wheelchair&limit=1');
  const [lon, lat] = gaps.features[0].geometry.coordinates;
  const p = await open(`/planner?kind=naermiljoanlegg&minutes=5&profile=wheelchair&lang=en&hex=1&contrast=high&center=${lon},${lat}&zoom=15`,
    { viewport: { width: 320, height: 640 } });
  const { page } = p;
  assert.deepEqual(await contrastState(page), HIGH_CONTRAST, 'contrast=high opens in high contrast');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.$eval('h1', (h) => h.textContent), 'Who lives within walking distance?');
  assert.equal(await page.$eval('#kind', (s) => s.value), 'naermiljoanlegg');
  assert.equal(await page.$eval('#minutes', (s) => s.value), '5');
  assert.equal(await page.$eval('input[name=profile]:checked', (i) => i.value), 'wheelchair');
  assert.equal(await page.$eval('#show-hex', (i) => i.checked), true);
  const hexes = await page.evaluate(() => window.app.map.queryRenderedFeatures({ layers: ['pl-hex-fill'] }).length);
  assert.ok(hexes > 0, 'gap hexagons are drawn');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling at 320 px');

  // Changing the walking time refetches and writes the URL.
  await page.fill('#minutes', '15');
  await page.press('#minutes', 'Enter');
  await page.waitForFunction(() => window.app.coverage?.minutes === 15);
  const search = await page.evaluate(() => location.search);
  for (const part of ['kind=naermiljoanlegg', 'minutes=15', 'profile=wheelchair', 'lang=en', 'hex=1', 'contrast=high', 'center=', 'zoom=']) {
    assert.ok(search.includes(part), `${part} in ${search}`);
  }
  const nb = await page.$eval('#lang-list a[hreflang=nb]', (a) => a.getAttribute('href'));
  assert.ok(!nb.includes('lang='), 'the Bokmål link drops lang (the default)');
  await page.locator('#map').scrollIntoViewIfNeeded();
  await page.evaluate(() => window.app.idle());
  await page.screenshot({ path: screenshotPath('planner-320.png'), fullPage: false });
  assert.deepEqual(await axeViolations(page), [], 'axe at 320 px in English, in high contrast');
  assertClean(p);
  await p.close();
});

// ---- District levels -------------------------------------------------------------------------
// On the demo the levels are `bydel` (8, from OSM) and `postcode` (made from the addresses within
// each bydel); the counts are the server's, read from its `levels`.

/** The table's rows as the page shows them: id and name. */
const shownDistricts = (page) => page.$$eval('#table-body tr', (trs) => trs.map((tr) => ({
  id: tr.dataset.districtId, name: tr.querySelector('.district-name').textContent,
})));

/** The ids of the districts drawn on the map (its fill layer, where it is on screen). */
const drawnIds = (page) => page.evaluate(() => [...new Set(window.app.map.queryRenderedFeatures({ layers: ['pl-district-fill'] })
  .map((f) => f.properties.id))]);

/** Waits until the page shows this level (and parent: null for the whole area) and has drawn it. */
async function waitForView(page, level, parent) {
  await page.waitForFunction(([level, parent]) => window.app.coverage?.level === level
    && (window.app.coverage?.parent_id ?? null) === parent && !window.app.busy, [level, parent]);
  await page.evaluate(() => window.app.settled());
  await page.evaluate(() => window.app.idle());
}

const query = (page) => page.evaluate(() => Object.fromEntries(new URLSearchParams(location.search)));

test('district levels: bydel first, postcode by keyboard, drill into a bydel and back up by keyboard', async () => {
  const p = await open('/planner?kind=school&minutes=10', { viewport: { width: 1280, height: 900 } });
  const { page } = p;
  const bydeler = await api('/api/coverage?kind=school&minutes=10');
  const postcodes = await api('/api/coverage?kind=school&minutes=10&level=postcode');
  assert.equal(bydeler.level, 'bydel', 'the server picks the bydel level on the demo');
  const bydelIds = new Set(bydeler.districts.map((d) => d.district_id));

  // The page opens at the server's level: 8 city districts, by name, on the map and in the table.
  assert.equal(await page.$eval('#level', (s) => s.value), 'bydel');
  assert.equal(await page.$eval('label[for=level]', (l) => l.textContent), 'Områdenivå');
  assert.deepEqual(await page.$$eval('#level option', (os) => os.map((o) => o.textContent)),
    [`Bydel (${bydeler.levels[0].districts} områder)`, `Postnummer (${bydeler.levels[1].districts} områder)`],
    'the levels, coarsest first, with their counts');
  assert.equal(bydeler.levels[0].districts, 8);
  const first = await shownDistricts(page);
  assert.equal(first.length, 8);
  for (const name of ['Frogner', 'Sentrum', 'Gamle Oslo']) assert.ok(first.some((r) => r.name === name), `${name} in the table`);
  // Each row links to the district's printable profile.
  const frognerId = bydeler.districts.find((d) => d.district === 'Frogner').district_id;
  assert.deepEqual(await page.$eval(`#table-body tr[data-district-id="${frognerId}"] a.profile`,
    (a) => [a.getAttribute('href'), a.getAttribute('aria-label')]), [`/omrade/${frognerId}`, 'Profil for Frogner']);
  assert.equal(await page.$eval('th[data-key="district"] button', (b) => b.textContent.trim().replace(/\W+$/, '')), 'Bydel');
  let drawn = await drawnIds(page);
  assert.ok(drawn.length >= 6, `the bydeler are drawn: ${drawn}`);
  assert.deepEqual(drawn.filter((id) => !bydelIds.has(id)), [], 'only bydeler on the map');
  assert.equal(await page.$$eval('#table-body button.drill', (bs) => bs.length), 8, 'every bydel can be opened');
  assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('level'), null, 'the default level is not written');

  // Postcode areas, by keyboard: the arrow key in the chooser.
  await page.focus('#level');
  await page.keyboard.press('ArrowDown');
  await waitForView(page, 'postcode', null);
  const areas = await shownDistricts(page);
  assert.equal(areas.length, postcodes.districts.length, 'one row per postcode area');
  assert.equal((await query(page)).level, 'postcode', 'the level is in the URL');
  assert.match(await page.$eval('#csv-link', (a) => a.getAttribute('href')), /[?&]level=postcode(&|$)/);
  assert.equal(await page.$$eval('#table-body button.drill', (bs) => bs.length), 0, 'the finest level has nothing inside');
  await page.waitForFunction((n) => document.getElementById('announcer').textContent.includes(`Postnummer: ${n} områder vises.`),
    postcodes.districts.length);
  drawn = await drawnIds(page);
  assert.ok(drawn.length > 20 && drawn.every((id) => id.startsWith('postcode-')), 'only postcode areas on the map');
  // Labels never pile up: MapLibre drops those that collide, and each placed one has its percentage.
  assert.ok(!(await page.evaluate(() => window.app.map.getLayoutProperty('pl-district-label', 'text-allow-overlap'))));
  const labels = await page.evaluate(() => window.app.map.queryRenderedFeatures({ layers: ['pl-district-label'] }).map((f) => f.properties.label));
  assert.ok(labels.length > 0 && labels.length < drawn.length, `some labels are dropped (${labels.length} of ${drawn.length})`);
  assert.ok(labels.every((l) => /\d\s?%/.test(l)));
  assert.match(await page.$eval('#level-derived', (el) => el.textContent), /laget av adressene/, 'derived areas are said to be');

  // Back to the bydeler, and open Frogner from its table button, by keyboard.
  await page.keyboard.press('ArrowUp');
  await waitForView(page, 'bydel', null);
  const frogner = bydeler.districts.find((d) => d.district === 'Frogner').district_id;
  const button = `#table-body button.drill[data-district-id="${frogner}"]`;
  assert.equal(await page.$eval(button, (b) => b.getAttribute('aria-label')), 'Vis områdene i Frogner');
  await page.focus(button);
  await page.keyboard.press('Enter');
  await waitForView(page, 'postcode', frogner);
  const inside = await shownDistricts(page);
  const expected = postcodes.districts.filter((d) => d.parent_id === frogner).map((d) => d.district_id).sort();
  assert.deepEqual(inside.filter((r) => r.id).map((r) => r.id).sort(), expected, 'the postcode areas whose parent is Frogner');
  for (const r of inside.filter((x) => !x.id)) assert.equal(r.name, 'Andre adresser i Frogner', 'the rest of Frogner is named');
  assert.deepEqual(await page.$$eval('#crumbs li', (lis) => lis.map((li) => li.textContent)), ['Alle bydeler', 'Frogner']);
  assert.equal(await page.$eval('#crumbs li:last-child', (li) => li.getAttribute('aria-current')), 'location');
  assert.equal(await page.$eval('#place-nav', (n) => n.hidden), false);
  const q = await query(page);
  assert.equal(q.parent, frogner, 'the parent is in the URL');
  assert.equal(q.level, undefined, 'the level below the parent is the server\'s');
  assert.match(await page.$eval('#csv-link', (a) => a.getAttribute('href')), new RegExp(`[?&]parent=${frogner}(&|$)`));
  assert.equal(await page.evaluate(() => document.activeElement.id), 'results-heading', 'focus goes to the heading of what is shown');
  assert.equal(await page.$eval('#results-heading', (h) => h.textContent), 'Dekning per område i Frogner');
  await page.waitForFunction(() => /Postnummer i Frogner: \d+ områder vises\./.test(document.getElementById('announcer').textContent));
  drawn = await drawnIds(page);
  assert.ok(drawn.length > 5, 'the areas are drawn');
  assert.deepEqual(drawn.filter((id) => !expected.includes(id)), [], 'only Frogner\'s postcode areas on the map');
  const frognerBox = await page.evaluate(async (id) => {
    const f = await (await fetch(`/api/collections/districts/items/${id}`)).json();
    const c = window.app.map.getCenter();
    const pts = f.geometry.coordinates.flat(2);
    const xs = pts.map((x) => x[0]), ys = pts.map((x) => x[1]);
    return { inside: c.lng > Math.min(...xs) && c.lng < Math.max(...xs) && c.lat > Math.min(...ys) && c.lat < Math.max(...ys) };
  }, frogner);
  assert.ok(frognerBox.inside, 'the map zoomed to Frogner');
  assert.equal(await page.$eval('.pl-up-button', (b) => b.textContent), '‹ Tilbake til Alle bydeler');
  await page.screenshot({ path: screenshotPath('planner-frogner.png') });

  // Escape goes back up; focus returns to Frogner's button.
  await page.keyboard.press('Escape');
  await waitForView(page, 'bydel', null);
  assert.equal((await shownDistricts(page)).length, 8);
  assert.equal(await page.$eval('#place-nav', (n) => n.hidden), true, 'no breadcrumb at the top');
  assert.equal((await query(page)).parent, undefined, 'the parent leaves the URL');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.districtId), frogner, 'focus is back on Frogner\'s button');
  await page.waitForFunction(() => /Bydel: 8 områder vises\./.test(document.getElementById('announcer').textContent));

  // In again, then Tab from the heading to the breadcrumb's link and back up with Enter.
  await page.keyboard.press('Enter');
  await waitForView(page, 'postcode', frogner);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Alle bydeler');
  await page.keyboard.press('Enter');
  await waitForView(page, 'bydel', null);
  assert.equal((await shownDistricts(page)).length, 8);

  // A click on a district in the map opens it too.
  const gap = (await api('/api/coverage/gaps?kind=school&minutes=10&limit=1')).features[0];
  await page.evaluate(() => window.scrollTo(0, 0));
  const at = await page.evaluate((c) => window.app.map.project(c), gap.geometry.coordinates);
  const box = await page.locator('#map canvas').boundingBox();
  assert.ok(at.x > 0 && at.y > 0 && at.x < box.width && at.y < box.height, 'the point is on the map');
  await page.mouse.click(box.x + at.x, box.y + at.y);
  await waitForView(page, 'postcode', gap.properties.district_id);
  assert.deepEqual(await page.$$eval('#crumbs li', (lis) => lis.map((li) => li.textContent)), ['Alle bydeler', gap.properties.district]);

  assertClean(p);
  await p.close();
});

test('district levels at 320 px, in English and high contrast: drill-down by keyboard, a link reopens it, axe', async () => {
  const bydeler = await api('/api/coverage?kind=school&minutes=10');
  const sentrum = bydeler.districts.find((d) => d.district === 'Sentrum').district_id;
  const p = await open('/planner?kind=school&minutes=10&lang=en&contrast=high', { viewport: { width: 320, height: 640 } });
  const { page } = p;
  assert.equal(await page.$eval('label[for=level]', (l) => l.textContent), 'District level');
  assert.deepEqual(await page.$$eval('#level option', (os) => os.map((o) => o.textContent)),
    [`City district (${bydeler.levels[0].districts} areas)`, `Postcode area (${bydeler.levels[1].districts} areas)`]);
  const button = `#table-body button.drill[data-district-id="${sentrum}"]`;
  assert.equal(await page.$eval(button, (b) => b.getAttribute('aria-label')), 'Show the areas in Sentrum');
  await page.focus(button);
  await page.keyboard.press('Enter');
  await waitForView(page, 'postcode', sentrum);
  assert.deepEqual(await page.$$eval('#crumbs li', (lis) => lis.map((li) => li.textContent)), ['All city districts', 'Sentrum']);
  assert.equal(await page.$eval('#place-nav', (n) => n.getAttribute('aria-label')), 'Breadcrumb');
  const rows = await shownDistricts(page);
  assert.ok(rows.length > 1);
  assert.deepEqual(await contrastState(page), HIGH_CONTRAST, 'still high contrast');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling at 320 px');
  assert.deepEqual(await axeViolations(page), [], 'axe after drilling down, 320 px, English, high contrast');
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: screenshotPath('planner-320-sentrum.png') });

  // The address bar reopens the same view.
  const url = await page.evaluate(() => location.href);
  assert.match(url, new RegExp(`[?&]parent=${sentrum}(&|$)`));
  await page.goto(url);
  await settle(page);
  await page.evaluate(() => window.app.settled());
  assert.deepEqual(await page.$$eval('#crumbs li', (lis) => lis.map((li) => li.textContent)), ['All city districts', 'Sentrum']);
  assert.deepEqual(await shownDistricts(page), rows, 'the same rows');
  assert.equal(await page.$eval('#level', (s) => s.value), 'postcode');
  assertClean(p);
  await p.close();
});

test('district levels: withheld and summed residents\' figures, and a link to an unknown district', async () => {
  // The demo has no population; these rows carry what a municipality with SSB figures gets.
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  const { page } = p;
  await page.route(/\/api\/coverage\?/, async (route) => {
    const response = await route.fetch();
    const body = await response.json();
    body.districts.forEach((d, i) => Object.assign(d, i === 0
      ? { population: 4, residents_covered: null, resident_share: null, suppressed: true }
      : { population: 1000 + i, residents_covered: 900, resident_share: 0.9, population_sum: i === 1 }));
    Object.assign(body.total, { population: 9000, residents_covered: 8000, resident_share: 0.8889, population_sum: true });
    await route.fulfill({ response, json: body });
  });
  await page.goto(`${origin}/planner?kind=school&minutes=10`);
  await settle(page);
  await page.evaluate(() => window.app.settled());
  const withheld = await page.evaluate(() => window.app.coverage.districts[0].district_id);
  const summed = await page.evaluate(() => window.app.coverage.districts[1].district_id);
  const cell = (id, key) => page.$eval(`#table-body tr[data-district-id="${id}"] [data-key="${key}"]`, (td) => ({
    text: td.textContent, shown: [...td.childNodes].filter((n) => n.nodeType === 3 || n.getAttribute('aria-hidden') === 'true').map((n) => n.textContent).join(''),
    spoken: [...td.querySelectorAll('.visually-hidden')].map((n) => n.textContent).join(''),
  }));
  const low = await cell(withheld, 'population');
  assert.equal(low.shown, '< 10', 'a withheld population shows as < 10');
  assert.equal(low.spoken, 'færre enn 10', 'and is read as "færre enn 10"');
  assert.doesNotMatch((await cell(withheld, 'resident_share')).text, /\d/, 'no share for a withheld district');
  const sum = await cell(summed, 'population');
  assert.match(sum.shown, /^1\s001\*$/, 'our own sum is marked');
  assert.equal(sum.spoken, ' (summert av oss)');
  const published = await page.evaluate(() => window.app.coverage.districts[2].district_id);
  assert.match((await cell(published, 'population')).shown, /^1\s002$/, 'a published figure has no mark');
  const notes = await page.$eval('#table-notes', (el) => el.textContent);
  assert.match(notes, /< 10: færre enn 10 innbyggere/);
  assert.match(notes, /\*: summert av oss/);
  assert.match(await page.$eval('#totals', (el) => el.textContent), /summert av oss/);
  assert.deepEqual(await axeViolations(page), [], 'axe with withheld and summed figures');
  await page.unroute(/\/api\/coverage\?/);

  // A link to a district this data does not have: the page says so and shows the whole area.
  await page.goto(`${origin}/planner?kind=school&minutes=10&parent=nowhere`);
  await settle(page);
  await page.evaluate(() => window.app.settled());
  await page.waitForFunction(() => window.app.coverage?.level === 'bydel');
  assert.equal((await shownDistricts(page)).length, 8);
  assert.match(await page.$eval('#status', (el) => el.textContent), /finnes ikke i disse dataene/);
  assert.equal((await query(page)).parent, undefined, 'the unknown parent leaves the URL');
  assert.deepEqual(p.failures.map((f) => f.replace(/^.*\/api/, '/api')), ['/api/coverage?kind=school&minutes=10&profile=walk&parent=nowhere: HTTP 400'],
    'the one refused request');
  assert.deepEqual(p.foreign(), []);
  assert.deepEqual(p.errors, ['console: Failed to load resource: the server responded with a status of 400 (Bad Request)'],
    'only Chromium\'s own line about that request');
  await p.close();
});
