// The district profile (/omrade/{id}) in a real browser, used the way a nærutvalg member
// preparing a meeting would: open Frogner's profile, read its heading and key figures (equal to
// GET /api/districts/{id}/profile), the coverage table (a row per kind, the API's share
// formatted), change the walking time and compare with Sentrum by keyboard (a second column,
// ?med= in the URL, reopened by the link, removable), follow the child and parent links,
// English, 320 px, high contrast, print, axe, an unknown id, and no request off the server.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/district.test.mjs
//
// Screenshots go to target/screenshots/district*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { REPO, axeViolations, launchBrowser, openPage, screenshotPath, startServer } from './harness.mjs';

let server;
let browser;
let origin;
let frogner;
let sentrum;

before(async () => {
  server = await startServer();
  origin = server.url;
  browser = await launchBrowser();
  const bydeler = await api('/api/collections/districts/items?level=bydel&limit=100');
  const byName = (name) => {
    const f = bydeler.features.find((x) => x.properties.name === name);
    assert.ok(f, `the demo has the bydel ${name}`);
    return String(f.id);
  };
  frogner = byName('Frogner');
  sentrum = byName('Sentrum');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function api(path) {
  const r = await fetch(`${origin}${path}`);
  assert.equal(r.status, 200, path);
  return r.json();
}

const profileOf = (id, minutes = 10, profile = 'walk') => api(`/api/districts/${encodeURIComponent(id)}/profile?minutes=${minutes}&profile=${profile}`);

/** Every request stayed on the server, none failed, and the page logged no error. */
function assertClean(p) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures, [], 'failed requests');
  assert.deepEqual(p.errors, [], 'errors in the page');
}

/** The page has started, its map (when there is one) has drawn, and no request is pending. */
async function settled(page) {
  await page.waitForFunction(() => window.app?.ready);
  await page.evaluate(() => window.app.ready);
  await page.evaluate(() => window.app.idle?.());
  await page.evaluate(() => window.app.settled());
}

async function open(path, options = {}) {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 }, ...options });
  await p.page.goto(`${origin}${path}`);
  await settled(p.page);
  return p;
}

/** Text as a reader sees it, with every kind of space as one plain space. */
const words = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** A share as the page promises to write it in Bokmål: tenths of a percent, never 100 % below 1. */
function tenths(s) {
  let v = Math.round(s * 1000);
  if (v >= 1000 && s < 1) v = 999;
  if (v <= 0 && s > 0) v = 1;
  return v;
}
const nbShare = (s) => `${(tenths(s) / 10).toFixed(1).replace('.', ',')} %`;
const enShare = (s) => `${(tenths(s) / 10).toFixed(1)}%`;

/** The coverage table's cells: { kind: { 'main-share': text, … } } and their data-value. */
const coverageCells = (page) => page.$$eval('#coverage-table tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [
  tr.dataset.row,
  Object.fromEntries([...tr.querySelectorAll('td')].map((td) => [td.dataset.key, {
    text: td.textContent, value: td.dataset.value,
    // A difference is written short («+2,6 p.p.») and read in full («+2,6 prosentpoeng»).
    seen: td.querySelector('[aria-hidden=true]')?.textContent, heard: td.querySelector('.visually-hidden')?.textContent,
  }])),
])));

function assertCoverage(cells, profile, key = 'main', format = nbShare) {
  assert.equal(Object.keys(cells).length, profile.coverage.length, 'a row per kind');
  for (const row of profile.coverage) {
    const c = cells[row.kind];
    assert.ok(c, `a row for ${row.kind}`);
    assert.equal(words(c[`${key}-share`].text), format(row.share), `${key} share of ${row.kind}`);
    assert.equal(Number(c[`${key}-share`].value), row.share, `${key} raw share of ${row.kind}`);
  }
}

/** The key figures of the block for district `id`: { residents, addresses, area } as data-value and text. */
const figures = (page, id) => page.$eval(`.figure-block[data-district="${id}"]`, (el) => Object.fromEntries(
  [...el.querySelectorAll('dd')].map((dd) => [dd.dataset.key, { value: dd.dataset.value, text: dd.textContent }]),
));

test('Frogner\'s profile: heading, key figures and coverage as the API says; the outline, the source, axe', async () => {
  const p = await open(`/omrade/${frogner}`);
  const { page } = p;
  const expected = await profileOf(frogner);

  assert.equal(words(await page.textContent('h1')), 'Frogner, bydel');
  assert.match(await page.title(), /^Frogner, bydel – /);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nb');

  // Key figures: residents (the demo has none: «Ikke kjent»), addresses and area as the API says.
  const f = await figures(page, frogner);
  assert.equal(Number(f.addresses.value), expected.district.addresses);
  assert.equal(words(f.addresses.text), expected.district.addresses.toLocaleString('nb-NO').replace(/\s/g, ' '));
  assert.equal(Number(f.area.value), expected.district.area_km2);
  assert.equal(words(f.area.text), `${String(expected.district.area_km2).replace('.', ',')} km²`);
  if (expected.district.population == null) {
    assert.equal(words(f.residents.text), expected.district.suppressed ? 'Færre enn 10' : 'Ikke kjent');
  } else {
    assert.equal(Number(f.residents.value), expected.district.population);
  }

  // The children are links to their own profiles.
  const children = await page.$$eval('.children-list a', (as) => as.map((a) => a.dataset.id));
  assert.deepEqual(children, expected.district.children.map((c) => c.id));

  // Coverage: a row per kind with the API's share, and the difference from the reference in
  // percentage points as text (a sign and words, not colour alone).
  const cells = await coverageCells(page);
  assertCoverage(cells, expected);
  for (const row of expected.coverage) {
    const diff = cells[row.kind]['main-diff'];
    const pp = (tenths(row.share) - tenths(row.reference_share)) / 10;
    assert.equal(Number(diff.value), pp, `difference of ${row.kind}`);
    const signed = `${pp > 0 ? '+' : pp < 0 ? '−' : ''}${Math.abs(pp).toFixed(1).replace('.', ',')}`;
    assert.equal(words(diff.seen), `${signed} p.p.`, `${row.kind}'s difference as shown`);
    assert.equal(words(diff.heard), `${signed} prosentpoeng`, `${row.kind}'s difference as read`);
  }
  assert.equal(await page.$eval('#coverage-table caption', (c) => c.textContent.includes('10 minutter')), true);
  assert.ok(await page.$eval('#coverage-table', (t) => t.querySelectorAll('th[scope=row]').length > 0
    && t.querySelectorAll('th[scope=col]').length > 0 && t.querySelectorAll('th[scope=colgroup]').length > 0));

  // Facilities: the API's counts, the reference's beside them.
  const counts = await page.$$eval('#facilities-table tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.dataset.row,
    [Number(tr.querySelector('[data-key="main-count"]').dataset.value), Number(tr.querySelector('[data-key="reference-count"]').dataset.value)]])));
  for (const row of expected.facilities) assert.deepEqual(counts[row.kind], [row.count, row.reference_count], row.kind);

  // Activities, volunteer needs and knutepunkt, as the API says.
  if (expected.activities.length) {
    const rows = await page.$$eval('#activities-table tbody tr', (trs) => trs.map((tr) => tr.dataset.row));
    assert.deepEqual(rows.sort(), expected.activities.map((a) => a.category).sort());
  }
  assert.equal(Number(await page.$eval('#needs .block-main .count', (el) => el.dataset.value)), expected.needs.open);
  assert.deepEqual(await page.$$eval('#knutepunkt .block-main li', (lis) => lis.map((li) => li.textContent)),
    expected.knutepunkt.map((k) => k.name));

  // Whose data: shown with the figures and in the footer.
  assert.ok((await page.textContent('#source')).includes(expected.attribution));
  assert.ok((await page.textContent('.site-footer')).includes(expected.attribution));

  // The small map draws the outline; its legend says the same in words.
  const drawn = await page.evaluate(() => window.app.map.queryRenderedFeatures({ layers: ['d-main-line'] }).length);
  assert.ok(drawn > 0, 'the outline is drawn');
  assert.match(await page.textContent('#map-legend'), /Frogner/);

  await page.screenshot({ path: screenshotPath('district.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe at 1280 px');
  assertClean(p);
  await p.close();
});

test('by keyboard: the walking time, comparing with Sentrum (and the link that reopens it), the child and parent links', async () => {
  const p = await open(`/omrade/${frogner}`);
  const { page } = p;

  // Walking time: arrow keys in the radio group refetch; the table follows.
  await page.focus('input[name=minutes]:checked');
  assert.equal(await page.evaluate(() => document.activeElement.value), '10');
  await page.keyboard.press('ArrowRight');
  await page.waitForFunction(() => window.app.profile?.minutes === 15 && !window.app.busy);
  const at15 = await profileOf(frogner, 15);
  assertCoverage(await coverageCells(page), at15);
  assert.match(await page.evaluate(() => location.search), /minutes=15/);
  assert.match(await page.textContent('#status'), /15 minutter/);
  assert.match(await page.textContent('#coverage-table caption'), /15 minutter/);

  // Compare with Sentrum: the select by arrow keys, then the button.
  await page.focus('#compare-select');
  for (let i = 0; i < 20 && (await page.$eval('#compare-select', (s) => s.value)) !== sentrum; i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  assert.equal(await page.$eval('#compare-select', (s) => s.value), sentrum, 'Sentrum is among the districts to compare with');
  assert.equal(p.requests.filter((u) => u.includes(`/api/districts/${sentrum}/`)).length, 0, 'choosing in the list fetches nothing yet');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'compare-apply');
  await page.keyboard.press('Enter');
  await page.waitForFunction((id) => window.app.compare?.district.id === id && !window.app.busy, sentrum);
  assert.match(await page.evaluate(() => location.search), new RegExp(`med=${sentrum}`));
  const sentrum15 = await profileOf(sentrum, 15);
  assertCoverage(await coverageCells(page), sentrum15, 'compare');
  assert.ok((await page.$$eval('#coverage-table thead th', (ths) => ths.map((th) => th.textContent))).includes('Sentrum'));
  for (const table of ['facilities-table', 'coverage-table']) {
    assert.ok(await page.$$eval(`#${table} tbody tr`, (trs) => trs.every((tr) => tr.querySelector('td.group-compare'))), `${table} has Sentrum's column`);
  }
  const s = await figures(page, sentrum);
  assert.equal(Number(s.addresses.value), sentrum15.district.addresses);
  assert.equal(await page.locator('#needs .list-block').count(), 2);
  assert.equal(await page.locator('#knutepunkt .list-block').count(), 2);
  assert.match(await page.textContent('#status'), /Sentrum/);
  await page.evaluate(() => window.app.idle());
  assert.match(await page.textContent('#map-legend'), /Sentrum/);
  await page.screenshot({ path: screenshotPath('district-compare.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe with a comparison');

  // The link reopens the comparison.
  const link = page.url();
  await page.goto(link);
  await settled(page);
  assert.equal(await page.evaluate(() => window.app.compare?.district.id), sentrum);
  assert.equal(await page.$eval('#compare-select', (el) => el.value), sentrum);
  assert.equal(await page.$eval('input[name=minutes]:checked', (el) => el.value), '15');

  // Removed by keyboard: one column again, no med= in the URL, focus back on the select.
  await page.focus('#compare-remove');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !window.app.compare && !document.querySelector('td.group-compare'));
  assert.doesNotMatch(await page.evaluate(() => location.search), /med=/);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'compare-select');
  assert.equal(await page.$eval('#compare-remove', (b) => b.hidden), true);

  // A child's profile, then back up through its parent link, all by keyboard.
  const child = (await profileOf(frogner)).district.children[0];
  await page.focus(`.children-list a[data-id="${child.id}"]`);
  await Promise.all([page.waitForURL((u) => u.pathname === `/omrade/${child.id}`), page.keyboard.press('Enter')]);
  await settled(page);
  assert.equal(words(await page.textContent('h1')), `${child.name}, postnummer`);
  assert.match(await page.evaluate(() => location.search), /minutes=15/, 'the walking time goes along');
  assert.equal(await page.textContent('#parent-link'), 'Frogner');
  await page.focus('#parent-link');
  await Promise.all([page.waitForURL((u) => u.pathname === `/omrade/${frogner}`), page.keyboard.press('Enter')]);
  await settled(page);
  assert.equal(words(await page.textContent('h1')), 'Frogner, bydel');

  assertClean(p);
  await p.close();
});

test('English, 320 px wide, high contrast by keyboard; axe in each', async () => {
  const p = await open(`/omrade/${frogner}?lang=en&med=${sentrum}`, { viewport: { width: 320, height: 640 } });
  const { page } = p;
  const expected = await profileOf(frogner);
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(words(await page.textContent('h1')), 'Frogner, city district');
  assertCoverage(await coverageCells(page), expected, 'main', enShare);
  assert.match(await page.textContent('#coverage-table caption'), /Share of addresses within 10 minutes/);
  assert.equal(await page.textContent('#print'), 'Print');
  assert.equal(await page.evaluate(() => window.app.compare?.district.id), sentrum);
  const nb = await page.$eval('#lang-list a[hreflang=nb]', (a) => a.getAttribute('href'));
  assert.ok(!nb.includes('lang=') && nb.includes(`med=${sentrum}`), `the Bokmål link keeps the comparison: ${nb}`);

  // No sideways scrolling of the page; the wide tables scroll in their own labelled box.
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no horizontal scrolling at 320 px');
  const box = await page.$eval('#coverage-table', (t) => {
    const wrap = t.closest('.table-wrap');
    return { role: wrap.getAttribute('role'), label: document.getElementById(wrap.getAttribute('aria-labelledby'))?.textContent, tab: wrap.tabIndex };
  });
  assert.equal(box.role, 'region');
  assert.match(box.label, /Share of addresses/);
  assert.equal(box.tab, 0);
  await page.screenshot({ path: screenshotPath('district-320.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe at 320 px in English');

  await page.focus('#contrast');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.body.classList.contains('high-contrast')
    && window.app.map.getStyle()?.metadata?.['naermiljo:theme'] === 'high-contrast' && window.app.map.getLayer('d-main-line'));
  await page.evaluate(() => window.app.idle());
  assert.equal(await page.$eval('#contrast', (b) => b.getAttribute('aria-pressed')), 'true');
  assert.match(await page.evaluate(() => location.search), /contrast=high/);
  assert.equal(await page.evaluate(() => window.app.map.getPaintProperty('d-main-line', 'line-color')), '#000000');
  assert.deepEqual(await axeViolations(page), [], 'axe in high contrast at 320 px');

  // A link with contrast=high opens in high contrast, at 1280 px too.
  const wide = await open(`/omrade/${frogner}?contrast=high&med=${sentrum}`);
  assert.equal(await wide.page.evaluate(() => document.body.classList.contains('high-contrast')), true);
  await wide.page.screenshot({ path: screenshotPath('district-high-contrast.png'), fullPage: true });
  assert.deepEqual(await axeViolations(wide.page), [], 'axe in high contrast at 1280 px');
  assertClean(wide);
  await wide.close();

  assertClean(p);
  await p.close();
});

test('print: no controls, buttons or map controls; the map as a picture, the tables whole, the source printed', async () => {
  const p = await open(`/omrade/${frogner}?med=${sentrum}`);
  const { page } = p;
  await page.evaluate(() => dispatchEvent(new Event('beforeprint')));
  await page.emulateMedia({ media: 'print' });
  const shown = (selector) => page.$$eval(selector, (els) => els.map((el) => getComputedStyle(el).display !== 'none'
    && !el.closest('[hidden]') && el.getClientRects().length > 0));
  for (const selector of ['#choices', 'button', '.maplibregl-ctrl', '#map', '.skip-link', '#lang-list']) {
    assert.ok((await shown(selector)).every((x) => !x), `${selector} is not printed`);
  }
  assert.deepEqual(await shown('#source'), [true], 'the source is printed');
  assert.match(await page.textContent('#source'), /OpenStreetMap/);
  assert.deepEqual(await shown('#print-line'), [true], 'where and when it was printed');
  assert.deepEqual(await shown('#map-print'), [true], 'the map as a picture');
  assert.match(await page.$eval('#map-print', (img) => img.src), /^data:image\/png/);
  assert.match(await page.$eval('#map-print', (img) => img.alt), /Frogner/);
  assert.deepEqual(await page.$$eval('thead', (els) => [...new Set(els.map((el) => getComputedStyle(el).display))]), ['table-header-group']);
  assert.deepEqual(await page.$$eval('tbody tr', (els) => [...new Set(els.map((el) => getComputedStyle(el).breakInside))]), ['avoid']);
  await page.screenshot({ path: screenshotPath('district-print.png'), fullPage: true });
  const pdf = await page.pdf({ format: 'A4' });
  assert.ok(pdf.length > 10_000, 'an A4 PDF');
  assertClean(p);
  await p.close();
});

test('an unknown id says so in words, not a blank page', async () => {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  const { page } = p;
  await page.goto(`${origin}/omrade/no-such-district`);
  await settled(page);
  assert.equal(words(await page.textContent('h1')), 'Fant ikke området');
  assert.equal(await page.$eval('#not-found', (el) => el.hidden), false);
  assert.equal(await page.$eval('#not-found', (el) => el.getAttribute('role')), 'alert');
  assert.match(await page.textContent('#not-found'), /«no-such-district»/);
  assert.equal(await page.$eval('#content', (el) => el.hidden), true);
  assert.match(await page.title(), /Fant ikke området/);
  assert.deepEqual(await axeViolations(page), [], 'axe on the not-found page');
  // The one failure is the API's 404 (the browser logs it); nothing else went wrong.
  assert.deepEqual(p.failures, [`${origin}/api/districts/no-such-district/profile?minutes=10&profile=walk: HTTP 404`]);
  assert.deepEqual(p.errors.filter((e) => !/404/.test(e)), []);
  assert.deepEqual(p.foreign(), []);

  // A comparison with an unknown id is dropped, with a message beside the control.
  const q = await open(`/omrade/${frogner}?med=no-such-district`);
  assert.equal(await q.page.evaluate(() => window.app.compare), null);
  assert.doesNotMatch(await q.page.evaluate(() => location.search), /med=/);
  assert.match(await q.page.textContent('#compare-error'), /no-such-district/);
  assert.equal(words(await q.page.textContent('h1')), 'Frogner, bydel');
  await q.close();
  await p.close();
});

test('a failed request is said (role=alert) with a way to try again, by keyboard', async () => {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  const { page } = p;
  // The first answer for the profile is a server error; the next ones go through.
  let failed = 0;
  await page.route('**/api/districts/*/profile*', (route) => {
    if (failed++ === 0) {
      return route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ title: 'Service unavailable', detail: 'try again later', status: 503 }) });
    }
    return route.continue();
  });
  await page.goto(`${origin}/omrade/${frogner}`);
  await settled(page);
  assert.equal(await page.$eval('#problem', (el) => el.hidden), false);
  assert.equal(await page.$eval('#problem', (el) => el.getAttribute('role')), 'alert');
  // In the page's words (a 503 of no known type: said by its status), not the server's detail.
  const said = (await page.textContent('#problem')).replace(/[\s\u00a0\u202f]+/g, ' ');
  const shared = JSON.parse(readFileSync(join(REPO, 'web/i18n/nb.json'), 'utf8'));
  assert.ok(said.includes(`Kunne ikke hente tallene: ${shared.problems.server.replace('{status}', '503')}`), said);
  assert.doesNotMatch(said, /try again later/);
  assert.equal(await page.$eval('#content', (el) => el.hidden), true);

  await page.focus('#retry');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.profile && !document.getElementById('content').hidden && window.app.map);
  await page.evaluate(() => window.app.idle());
  assert.equal(await page.$eval('#problem', (el) => el.hidden), true);
  assert.equal(words(await page.textContent('h1')), 'Frogner, bydel');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'page-heading', 'focus goes to the heading');
  await page.waitForFunction(() => document.querySelectorAll('#compare-select option').length > 1);
  assert.deepEqual(p.foreign(), []);
  await p.close();
});

test('the district page\'s language files have the same keys, and languages.json names them', () => {
  const keys = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => (
    v && typeof v === 'object' && !['one', 'other'].some((form) => form in v)
      ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
  const dir = join(REPO, 'web/i18n/district');
  const read = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const nb = keys(read('nb.json')).sort();
  const languages = read('languages.json');
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') && x !== 'languages.json')) {
    assert.deepEqual(keys(read(f)).sort(), nb, f);
    assert.ok(f.replace('.json', '') in languages, `${f} is listed in languages.json`);
  }
});
