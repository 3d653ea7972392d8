// The planners' page (/planner, issue 8 point 5) in a real browser: the table equals
// /api/coverage, sorting by keyboard, scenario mode agrees with POST /api/coverage/scenario,
// URL state, English, the hexagon layer, high contrast, 320 px reflow, axe, and no request off the server.
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
