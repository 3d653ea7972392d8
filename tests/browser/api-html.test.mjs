// The OGC API as HTML for people browsing it (issue 17 item 3; src/http/browse.rs, web/api.html,
// web/api/): a person follows the links from the landing page to the collections, Facilities
// (by keyboard), its items (ten a page, then the next page) and one item, and each page says
// what the API's JSON says (headings, the item's name in its properties table, numberMatched);
// the items and the item have a named map; every kind of page passes axe, also at 320 px, in
// Bokmål and English, and in high contrast; a browser's navigation without `f` gets HTML where fetch() gets JSON;
// JSON-LD is offered where the API has it; a CRS other than CRS84 gets no map; a bad
// parameter stays a 400 problem; and no request leaves the server.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/api-html.test.mjs
//
// Screenshots go to target/screenshots/api-*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';

import { axeViolations, launchBrowser, openPage, screenshotPath, startServer } from './harness.mjs';

const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';
const UTM33 = 'http://www.opengis.net/def/crs/EPSG/0/25833';

let server;
let browser;
let origin;
/** Whether the server takes the page's own `lang` on the API's paths (else only the switch and the browser's language). */
let langParam = false;

before(async () => {
  const launched = launchBrowser();
  server = await startServer();
  origin = server.url;
  browser = await launched;
  langParam = (await fetch(`${origin}/api?f=html&lang=en`)).status === 200;
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

async function getJson(path) {
  const r = await fetch(`${origin}${path}`);
  assert.equal(r.status, 200, path);
  return r.json();
}

/** A collection's title in a page language: the API's «Bokmål / English» titles give their half. */
const titleIn = (title, lang) => {
  const parts = title.split(' / ');
  return parts.length === 2 ? parts[lang === 'nb' ? 0 : 1] : title;
};

/** Text as a reader sees it, with every kind of space as one plain space. */
const words = (s) => (s ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** Every request stayed on the server, none failed, and the page logged no error. */
function assertClean(p) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures, [], 'failed requests');
  assert.deepEqual(p.errors, [], 'errors in the page');
}

/** The page has drawn its document (and its map, when it has one). */
async function settled(page) {
  await page.waitForFunction(() => window.app?.ready);
  await page.evaluate(() => window.app.ready);
}

async function open(path, options = {}) {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 }, ...options });
  const response = await p.page.goto(`${origin}${path}`);
  assert.equal(response.status(), 200, path);
  await settled(p.page);
  return p;
}

/** Follows a link by clicking it, as a person would, and waits for the next page to draw. */
async function follow(page, selector, url) {
  await Promise.all([page.waitForURL(url), page.click(selector)]);
  await settled(page);
}

async function assertAxe(page, what) {
  assert.deepEqual(await axeViolations(page), [], `axe on ${what}`);
}

const heading = (page) => page.textContent('h1').then(words);
const crumbs = (page) => page.$$eval('#crumbs li', (lis) => lis.map((li) => li.textContent.trim()));

/** The map's canvas and its accessible name (MapLibre names it from `maplibre.Map.Title`). */
const canvasName = (page) => page.$eval('#map canvas', (c) => c.getAttribute('aria-label'));

test('landing → collections → Facilities (by keyboard) → items, ten a page → the next page → an item', async () => {
  const landing = await getJson('/api');
  const collections = await getJson('/api/collections');
  const facilities = collections.collections.find((c) => c.id === 'facilities');
  assert.ok(facilities, 'the demo has facilities');

  const p = await open('/api?f=html');
  const { page } = p;
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'nb');
  assert.equal(await heading(page), landing.title);
  assert.equal(await page.getAttribute('#crumbs', 'aria-label'), 'Du er her');
  assert.equal(await page.textContent('#formats a[data-format=json]'), 'JSON');
  assert.equal(new URL(await page.getAttribute('#formats a[data-format=json]', 'href')).searchParams.get('f'), 'json');
  await assertAxe(page, 'the landing page');

  // The landing page's «data» link leads to the collections as HTML.
  await follow(page, 'li[data-rel=data] a', /\/api\/collections\?f=html$/);
  assert.equal(await heading(page), 'Samlinger');
  assert.deepEqual(await crumbs(page), ['API', 'Samlinger']);
  assert.equal(await page.$$eval('#collections-table tbody tr', (rs) => rs.length), collections.collections.length);
  assert.equal(await page.getAttribute('.table-wrap', 'role'), 'region');
  assert.equal(await page.getAttribute('.table-wrap', 'tabindex'), '0');
  await assertAxe(page, 'the collections');

  // By keyboard: Tab to the Facilities link, Enter.
  let focused = null;
  for (let i = 0; i < 60 && focused !== 'facilities'; i++) {
    await page.keyboard.press('Tab');
    focused = await page.evaluate(() => document.activeElement?.dataset?.collection ?? null);
  }
  assert.equal(focused, 'facilities', 'Tab reaches the Facilities link');
  await Promise.all([page.waitForURL(/\/api\/collections\/facilities\?f=html$/), page.keyboard.press('Enter')]);
  await settled(page);
  const facilitiesTitle = titleIn(facilities.title, 'nb');
  assert.equal(await heading(page), facilitiesTitle);
  assert.deepEqual(await crumbs(page), ['API', 'Samlinger', facilitiesTitle]);
  assert.match(await page.textContent('#crs'), /\(lagres i dette\)/);
  await assertAxe(page, 'a collection');

  // Its items, then ten a page with the page-size form.
  await follow(page, '#items-link', /\/api\/collections\/facilities\/items\?f=html$/);
  await page.selectOption('#limit', '10');
  await Promise.all([page.waitForURL(/limit=10/), page.click('.limit-form button')]);
  await settled(page);
  const first = await getJson('/api/collections/facilities/items?limit=10');
  assert.equal(await heading(page), `Objekter i ${facilitiesTitle}`);
  assert.deepEqual(await crumbs(page), ['API', 'Samlinger', facilitiesTitle, 'Objekter']);
  assert.equal(words(await page.textContent('#shown')), `Viser 1–10 av ${first.numberMatched}.`);
  assert.deepEqual(await page.$$eval('#items-table tbody tr', (rs) => rs.map((r) => r.dataset.id)),
    first.features.map((f) => String(f.id)));
  assert.equal(await canvasName(page), 'Kart over objektene på siden. Alt kartet viser, står også i teksten.');
  assert.equal(await page.getAttribute('#formats a[data-format=json]', 'href').then((h) => new URL(h).searchParams.get('f')), 'json');
  await assertAxe(page, 'items');
  await page.screenshot({ path: screenshotPath('api-items.png'), fullPage: true });

  // The next page: offset=10 in the address, items 11–20.
  await follow(page, '#next-link', /offset=10/);
  const url = new URL(page.url());
  assert.equal(url.searchParams.get('f'), 'html');
  assert.equal(url.searchParams.get('limit'), '10');
  const second = await getJson('/api/collections/facilities/items?limit=10&offset=10');
  assert.equal(words(await page.textContent('#shown')), `Viser 11–20 av ${second.numberMatched}.`);
  assert.ok(await page.$('#prev-link'), 'a link back to the first page');

  // An item with a name: its page says it, from the API's own item document.
  const named = second.features.find((f) => f.properties.name);
  assert.ok(named, 'one of items 11–20 has a name');
  await follow(page, `#items-table tr[data-id="${named.id}"] a.item-link`, new RegExp(`/items/${named.id}\\?f=html`));
  const item = await getJson(`/api/collections/facilities/items/${named.id}`);
  assert.equal(await heading(page), item.properties.name);
  assert.equal(words(await page.textContent('#properties-table tr[data-key=name] td')), item.properties.name);
  assert.equal(words(await page.textContent('#properties-table tr[data-key=kind] td')), item.properties.kind);
  assert.deepEqual(await crumbs(page), ['API', 'Samlinger', facilitiesTitle, 'Objekter', item.properties.name]);
  assert.equal(await page.getAttribute('#crumbs li:last-child span', 'aria-current'), 'page');
  assert.equal(await canvasName(page), 'Kart over objektene på siden. Alt kartet viser, står også i teksten.');
  assert.equal(await page.evaluate(() => window.app.map.getSource('api').serialize().data.features.length), 1);
  // No keyboard trap: from the map's canvas, Tab goes through its controls and out of it.
  await page.focus('#map canvas');
  let out = false;
  for (let i = 0; i < 6 && !out; i++) {
    await page.keyboard.press('Tab');
    out = await page.evaluate(() => !document.activeElement.closest('#map'));
  }
  assert.ok(out, 'Tab leaves the map');
  await assertAxe(page, 'an item');
  await page.screenshot({ path: screenshotPath('api-item.png'), fullPage: true });

  // Back up by the breadcrumbs.
  await follow(page, '#crumbs li:nth-child(3) a', /\/api\/collections\/facilities\?f=html$/);
  assert.equal(await heading(page), facilitiesTitle);
  assertClean(p);
  await p.close();
});

test('every kind of page passes axe at 320 px, without sideways scrolling; queryables and conformance as the API says', async () => {
  const queryables = await getJson('/api/collections/facilities/queryables');
  const conformance = await getJson('/api/conformance');
  const pages = [
    '/api?f=html', '/api/conformance?f=html', '/api/collections?f=html', '/api/collections/nature?f=html',
    '/api/collections/facilities/queryables?f=html', '/api/collections/activities/items?f=html&limit=5',
    '/api/collections/districts/items/1?f=html',
  ];
  const p = await openPage(browser, origin, { viewport: { width: 320, height: 640 } });
  const { page } = p;
  for (const path of pages) {
    await page.goto(`${origin}${path}`);
    await settled(page);
    await assertAxe(page, `${path} at 320 px`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), `${path}: no sideways scrolling at 320 px`);
    if (path.startsWith('/api/collections/facilities/queryables')) {
      assert.deepEqual(await page.$$eval('#queryables-table tbody tr', (rs) => rs.map((r) => r.dataset.name)), Object.keys(queryables.properties));
    }
    if (path.startsWith('/api/conformance')) {
      assert.deepEqual(await page.$$eval('.conformance-list a', (as) => as.map((a) => a.textContent)), conformance.conformsTo);
    }
  }
  await page.screenshot({ path: screenshotPath('api-item-320.png'), fullPage: true });
  assertClean(p);
  await p.close();
});

test('English: from the browser\'s language, by the language switch (in place), and by lang=en', async (t) => {
  const collections = await getJson('/api/collections');
  const nature = collections.collections.find((c) => c.id === 'nature');

  // A browser in English gets the page in English.
  const en = await open('/api/collections/nature?f=html', { locale: 'en-GB' });
  assert.equal(await en.page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await heading(en.page), titleIn(nature.title, 'en'));
  assert.deepEqual(await crumbs(en.page), ['API', 'Collections', titleIn(nature.title, 'en')]);
  await assertAxe(en.page, 'a collection in English');
  assertClean(en);
  await en.close();

  // The switch on a Bokmål page: English in place, focus kept on the language link.
  const facilities = collections.collections.find((c) => c.id === 'facilities').title;
  const p = await open('/api/collections/facilities/items?f=html&limit=3');
  const { page } = p;
  assert.equal(await heading(page), `Objekter i ${titleIn(facilities, 'nb')}`);
  await page.focus('#lang-list a[hreflang=en]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await heading(page), `Items of ${titleIn(facilities, 'en')}`);
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('hreflang')), 'en');
  assert.equal(await page.getAttribute('#lang-list a[hreflang=en]', 'aria-current'), 'true');
  assert.match(words(await page.textContent('#shown')), /^Showing 1–3 of \d+\.$/);
  assert.equal(await canvasName(page), 'Map of the items on this page. Everything the map shows is also in the text.');
  await assertAxe(page, 'items in English');
  assertClean(p);
  await p.close();

  // lang=en in the address, kept by the page's links (once the server takes it on the API's paths).
  if (langParam) {
    const q = await open('/api/collections?f=html&lang=en');
    assert.equal(await heading(q.page), 'Collections');
    const href = await q.page.getAttribute('#collections-table a[data-collection=facilities]', 'href');
    assert.equal(new URL(href).searchParams.get('lang'), 'en');
    assertClean(q);
    await q.close();
  } else {
    t.diagnostic('the server refuses lang on the API paths: lang=en not checked');
  }
});

test('a browser\'s navigation without f gets HTML, fetch() gets JSON; a bad parameter stays a 400 problem', async () => {
  const p = await openPage(browser, origin);
  const { page } = p;
  const response = await page.goto(`${origin}/api/collections/facilities/items/1`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()['content-type'], /^text\/html/);
  await settled(page);
  const item = await getJson('/api/collections/facilities/items/1');
  assert.equal(await heading(page), item.properties.name ?? `Objekt ${item.id}`);
  // The same address from a script in the page: JSON (fetch asks for */*).
  const fetched = await page.evaluate(async () => {
    const r = await fetch(location.pathname);
    return { type: r.headers.get('content-type'), body: await r.json() };
  });
  assert.match(fetched.type, /^application\/geo\+json/);
  assert.deepEqual(fetched.body.properties.name, item.properties.name);
  // The page's document is the API's, exactly.
  assert.deepEqual(await page.evaluate(() => window.app.doc), item);

  // A bad parameter: the API's problem, not a page.
  const bad = await fetch(`${origin}/api/collections/facilities/items?f=html&kind=bogus`, { headers: { Accept: 'text/html' } });
  assert.equal(bad.status, 400);
  assert.match(bad.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal((await bad.json()).status, 400);
  assert.deepEqual(p.foreign(), []);
  assert.deepEqual(p.errors, []);
  await p.close();
});

test('other formats and CRS: JSON-LD for activities, no map in UTM (a link to CRS84 instead)', async () => {
  const p = await open('/api/collections/activities/items?f=html&limit=3');
  const { page } = p;
  const jsonld = await page.getAttribute('#formats a[data-format=jsonld]', 'href');
  assert.ok(jsonld, 'activities offer JSON-LD');
  const r = await fetch(jsonld);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/ld\+json/);
  assert.equal(await page.textContent('#formats a[data-format=json]'), 'GeoJSON');
  assertClean(p);
  await p.close();

  const utm = await open(`/api/collections/facilities/items?f=html&limit=3&crs=${encodeURIComponent(UTM33)}`);
  assert.equal(await utm.page.$('#map canvas'), null, 'no map in UTM');
  assert.ok(await utm.page.isVisible('#map-box'));
  assert.match(await utm.page.textContent('#map-note'), new RegExp(`i ${UTM33.replace(/\./g, '\\.')}\\.`));
  const back = new URL(await utm.page.getAttribute('#map-note a', 'href'));
  assert.equal(back.searchParams.get('crs'), null);
  assert.equal(back.searchParams.get('f'), 'html');
  // Its items keep the CRS.
  const itemHref = new URL(await utm.page.getAttribute('#items-table a.item-link', 'href'));
  assert.equal(itemHref.searchParams.get('crs'), UTM33);
  await assertAxe(utm.page, 'items in UTM');
  assertClean(utm);
  await utm.close();

  // CRS84 is the default: a map. With the system's «more contrast»: the high-contrast page and basemap.
  const crs84 = await open('/api/collections/facilities/items/1?f=html', { contrast: 'more' });
  assert.equal(await crs84.page.evaluate(() => document.querySelector('meta[name="naermiljo-content-crs"]')?.content.replace(/^<|>$/g, '')), CRS84);
  assert.ok(await crs84.page.$('#map canvas'));
  assert.ok(await crs84.page.evaluate(() => document.body.classList.contains('high-contrast')));
  assert.equal(await crs84.page.evaluate(() => window.app.map.getStyle().metadata?.['naermiljo:theme']), 'high-contrast');
  await assertAxe(crs84.page, 'an item in high contrast');
  assertClean(crs84);
  await crs84.close();
});
