// The service behind a real reverse proxy, under a path (issue 16 item 10,
// docs/PLAN-proxy-prefix.md): Debian's nginx serves naermiljo at /kart/ (X-Forwarded-Proto,
// -Host and -Prefix) and at /kommune/ (RFC 7239 Forwarded, beside a wrong X-Forwarded-Host),
// and answers 404 everywhere else, so anything a page asks for at the root fails. A resident
// opens the map at /kart/, reaches the search by the skip link, changes a filter, takes the
// embed code and loads it; a planner, a nærutvalg member, a club and the staff open their
// pages; every request stays under /kart/, every link points there, and the downloads work.
// Then a server started with --public-url http://127.0.0.1:PORT/kart behind an nginx that sends
// no forwarding headers and a wrong Host: its pages and links still carry /kart, and the first
// admin's sign-in link from the CLI ends signed in on /kart/org with a cookie for /kart only.
//
//   apt-get install -y nginx
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/proxy.test.mjs
//
// Screenshots go to target/screenshots/proxy-*.png (the residents' map, /org signed in).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setTimeout as pause } from 'node:timers/promises';

import { axeViolations, launchBrowser, openPage, screenshotPath, startServer } from './harness.mjs';
import { bare, reservePort, startProxy } from './proxy.mjs';

const ADDRESS = 'Thorvald Meyers gate 10, 0555 Oslo';
const RESULT = `?address=${encodeURIComponent(ADDRESS)}&point=10.759436,59.929261`;
const ADMIN = { email: 'ada@kommune.example.no', name: 'Ada Admin' };
// Signed out, /org and /admin ask /api/me and get 401 (a failed request and a console line).
const SIGNED_OUT = [/\/api\/me: HTTP 401$/, /401 \(Unauthorized\)/];
// Against a server already running (NAERMILJO_TEST_URL) there is no second one with --public-url.
const NO_CLI = process.env.NAERMILJO_TEST_URL ? 'needs a server this test starts (--public-url, the CLI)' : false;

let server; // behind nginx, told where it is by headers only
let proxy; // /kart/ and /kommune/ in front of `server`
let configured; // started with --public-url …/kart
let bareProxy; // /kart/ in front of `configured`, with no forwarding headers
/** Resolves once `configured` and `bareProxy` run: they start while the first pages are tested. */
let configuredReady;
let browser;
let kart; // `${proxy.url}/kart`: where every request of a page under /kart/ must go
let frogner;
let hub;
/** Every URL the pages under /kart/ asked for (item 7's list of kinds, at the end). */
const seen = new Set();

before(async () => {
  const launched = launchBrowser();
  server = await startServer();
  // The public address of the second server names nginx's port, so the port comes first.
  const port = await reservePort();
  configuredReady = (async () => {
    configured = await startServer({ extraArgs: ['--public-url', `http://127.0.0.1:${port}/kart`] });
    bareProxy = await startProxy({ backend: configured.url, port, routes: [bare('/kart')] });
  })();
  configuredReady.catch(() => {}); // reported by the tests that need it
  proxy = await startProxy({ backend: server.url });
  kart = `${proxy.url}/kart`;
  browser = await launched;
  // Ids from the server itself (not through nginx), so a proxy problem cannot hide as "no data".
  const bydeler = await direct('/api/collections/districts/items?level=bydel&limit=100');
  frogner = bydeler.features.find((f) => f.properties.name === 'Frogner');
  assert.ok(frogner, 'the demo has the bydel Frogner');
  hub = (await direct('/api/collections/facilities/items?kind=community_centre&limit=1')).features[0];
  assert.ok(hub, 'the demo has a knutepunkt');
});

after(async () => {
  await browser?.close();
  await configuredReady?.catch(() => {});
  await Promise.all([proxy?.stop(), bareProxy?.stop()]);
  await Promise.all([server?.stop(), configured?.stop()]);
});

async function direct(path) {
  const r = await fetch(`${server.url}${path}`);
  assert.equal(r.status, 200, path);
  return r.json();
}

/** GET through nginx: status and body (JSON when it is). */
async function get(url, headers = {}) {
  const r = await fetch(url, { headers });
  const text = await r.text();
  const json = /json/.test(r.headers.get('content-type') ?? '') ? JSON.parse(text) : null;
  return { status: r.status, type: r.headers.get('content-type'), text, json, headers: r.headers };
}

/** Text as a reader sees it, with every kind of space as one plain space. */
const words = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** What is wrong with a page: failed requests, errors and requests that left `base`. */
function problems(p, base, allowed) {
  const ok = (s) => allowed.some((re) => re.test(s));
  return {
    outside: p.requests.filter((u) => !u.startsWith(`${base}/`) && !/^(data|blob|about):/.test(u) && !ok(u)),
    failures: p.failures.filter((f) => !ok(f)),
    errors: p.errors.filter((e) => !ok(e)),
  };
}

const report = ({ outside, failures, errors }) => [
  `requests outside the prefix (nginx answers them 404): ${outside.length ? `\n    ${outside.join('\n    ')}` : 'none'}`,
  `failed requests: ${failures.length ? `\n    ${failures.join('\n    ')}` : 'none'}`,
  `errors in the page: ${errors.length ? `\n    ${errors.join('\n    ')}` : 'none'}`,
].join('\n  ');

/**
 * Waits until the page's app is ready, has no request pending and its map (if any) has drawn
 * everything, and `also` (in the page) holds. Fails within seconds, with what went wrong, once
 * the page has a failed request or an error and still is not ready: under a prefix, a root
 * path means a missing script or stylesheet and an app that never starts.
 */
async function ready(p, { base = kart, allowed = [], also = null, timeoutMs = 20_000 } = {}) {
  const probe = () => {
    const app = window.app;
    if (!app?.ready) return false;
    if (!app.readyWatched) {
      app.readyWatched = true;
      app.ready.then(() => { app.readyDone = true; });
    }
    if (app.readyDone !== true || app.busy || app.proposalsBusy) return false;
    if ('view' in app && app.view == null) return false;
    const map = app.map;
    return !map || (map.loaded() && map.areTilesLoaded() && !map.isMoving());
  };
  const started = Date.now();
  let wrongSince = null;
  for (;;) {
    let done = false;
    try {
      done = (await p.page.evaluate(probe)) && (!also || (await p.page.evaluate(also)));
    } catch {
      // a navigation replaced the document: ask again
    }
    if (done) return;
    const found = problems(p, base, allowed);
    if (found.outside.length || found.failures.length || found.errors.length) wrongSince ??= Date.now();
    if ((wrongSince && Date.now() - wrongSince > 3000) || Date.now() - started > timeoutMs) {
      assert.fail(`${p.page.url()} did not get ready (${Math.round((Date.now() - started) / 1000)} s):\n  ${report(found)}`);
    }
    await pause(100);
  }
}

/** Opens `url` in a fresh page, waits for it to be ready, and notes its requests. */
async function visit(url, { base = kart, allowed = [], also, ...options } = {}) {
  const p = await openPage(browser, new URL(url).origin, options);
  if (base === kart) p.context.on('request', (r) => seen.add(r.url()));
  const response = await p.page.goto(url);
  assert.equal(response.status(), 200, `${url}: the page itself`);
  await ready(p, { base, allowed, also });
  return p;
}

/** Item 7: every request went under the prefix, none failed, and the page logged no error. */
function assertClean(p, { base = kart, allowed = [] } = {}) {
  const found = problems(p, base, allowed);
  assert.ok(!found.outside.length && !found.failures.length && !found.errors.length, `${p.page.url()}:\n  ${report(found)}`);
}

/**
 * Item 9: every link is a fragment, goes under the prefix, or to another site (mailto:, tel:,
 * OpenStreetMap): none to a root path of this host, which nginx does not serve.
 */
async function assertLinks(page, base = kart) {
  const wrong = await page.$$eval('a[href]', (links, b) => {
    const root = new URL(b);
    const prefix = root.pathname.replace(/\/$/, '');
    return links.map((a) => [a.getAttribute('href'), a.href]).filter(([raw, href]) => {
      if (raw.startsWith('#')) return false;
      const u = new URL(href);
      if (u.origin !== root.origin) return false;
      return u.pathname !== prefix && !u.pathname.startsWith(`${prefix}/`);
    }).map(([raw]) => raw);
  }, base);
  assert.deepEqual(wrong, [], `links on ${page.url()} that leave ${new URL(base).pathname}/`);
}

/** A download link (item 11): under /kart/api/, and it answers 200 with CSV through nginx. */
async function assertDownload(page, selector) {
  const href = await page.getAttribute(selector, 'href');
  assert.ok(href?.startsWith('/kart/api/'), `${selector} on ${page.url()}: ${href} starts with /kart/api/`);
  const got = await get(new URL(href, page.url()).href);
  assert.equal(got.status, 200, `${href} through nginx`);
  assert.match(got.type ?? '', /csv/, `${href} is CSV`);
}

test('nginx passes /kart/ and /kommune/ to the server and answers 404 at the root', async () => {
  const api = await get(`${kart}/api`);
  assert.equal(api.status, 200, '/kart/api through nginx');
  assert.ok(Array.isArray(api.json?.links) && api.json.links.length > 0, `/kart/api is the API's landing page: ${api.text.slice(0, 200)}`);
  assert.equal((await get(`${proxy.url}/kommune/healthz`)).status, 200, '/kommune/healthz');
  assert.equal((await get(`${proxy.url}/api`)).status, 404, 'the root is not served');
  assert.equal((await get(`${proxy.url}/static/kit/base.css`)).status, 404, 'nor a root asset');
  assert.match(proxy.accessLog(), /^200 GET \/kart\/api$/m, 'nginx logged the request');
});

test('X-Forwarded-* on /kart/: the API\'s links, the style and the TileJSON carry the proxy\'s address and /kart', async () => {
  const api = await get(`${kart}/api`);
  const hrefs = api.json.links.map((l) => l.href);
  assert.deepEqual(hrefs.filter((h) => !h.startsWith(`${kart}/api`)), [], `/kart/api links start with ${kart}/api`);
  const style = await get(`${kart}/styles/default.json`);
  assert.equal(style.status, 200);
  const urls = [
    ...Object.values(style.json.sources).map((s) => s.url ?? s.tiles).flat(),
    ...Object.values(style.json['font-faces']).flat().map((f) => (typeof f === 'string' ? f : f.url)),
  ];
  assert.deepEqual(urls.filter((u) => !u.startsWith(`${kart}/`)), [], 'the style\'s sources and fonts are under /kart/');
  const tiles = await get(`${kart}/tiles/facilities.json`);
  assert.equal(tiles.json.tiles[0], `${kart}/tiles/facilities/{z}/{x}/{y}.mvt`);
  // A client's own headers do not pass the proxy configured as the README says.
  const forged = await get(`${kart}/api`, {
    Forwarded: 'proto=https;host=evil.example',
    'X-Forwarded-Host': 'evil.example',
    'X-Forwarded-Prefix': '/evil',
  });
  assert.deepEqual(forged.json.links.map((l) => l.href), hrefs, 'links as without the forged headers');
});

test('Forwarded on /kommune/: it wins over a wrong X-Forwarded-Host, and the prefix comes from X-Forwarded-Prefix', async () => {
  const base = `${proxy.url}/kommune`;
  const api = await get(`${base}/api`);
  assert.equal(api.status, 200);
  const hrefs = api.json.links.map((l) => l.href);
  assert.deepEqual(hrefs.filter((h) => !h.startsWith(`${base}/api`)), [], `/kommune/api links start with ${base}/api`);
  assert.ok(!api.text.includes('wrong.invalid'), 'no link names the wrong X-Forwarded-Host');
  // The page itself: its stylesheets and scripts are asked for under /kommune/.
  const planner = await get(`${base}/planner`);
  assert.equal(planner.status, 200);
  assert.match(planner.text, /src="\/kommune\/static\/planner\/main\.js"/);
  assert.deepEqual(planner.text.match(/(?:href|src|action)="\/(?!kommune(?:\/|"))(?!\/)[^"]*"/g) ?? [], [],
    'no root path left in the page\'s attributes');
});

test('the residents\' map under /kart/: skip link, a filter, the language link and the embed code keep /kart', async () => {
  const p = await visit(`${kart}/${RESULT}`, { also: () => document.querySelectorAll('.result').length > 0 });
  const { page } = p;
  assert.equal(new URL(page.url()).pathname, '/kart/');
  assert.ok(await page.evaluate(() => document.querySelectorAll('.result').length > 0), 'the list of places (via /kart/api/reach)');
  // The first skip link moves focus to the search, and the page stays where it is.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#address');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'address');
  assert.equal(await page.evaluate(() => location.pathname), '/kart/', 'the skip link keeps the path');
  // A filter change writes the address bar (replaceState) under /kart/.
  await page.focus('#filters > summary');
  await page.keyboard.press('Enter');
  await page.focus('#minutes');
  await page.selectOption('#minutes', '10');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('minutes') === '10');
  await ready(p, { also: () => document.querySelectorAll('.result').length > 0 });
  assert.equal(await page.evaluate(() => location.pathname), '/kart/', 'the filter keeps the path');
  // The language link.
  const en = await page.getAttribute('#lang-list a[hreflang=en]', 'href');
  const enUrl = new URL(en, page.url());
  assert.ok(enUrl.href.startsWith(`${kart}/`) && enUrl.searchParams.get('lang') === 'en', `the English link ${en} goes to /kart/…?lang=en`);
  await assertLinks(page);
  await page.screenshot({ path: screenshotPath('proxy-resident.png') });
  assert.deepEqual(await axeViolations(page), [], 'axe on /kart/ with a result');

  // The embed dialog, opened by keyboard: its code and preview point under /kart/.
  await page.focus('#embed-open');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#embed-dialog[open]');
  const code = await page.inputValue('#embed-code');
  const src = /src="([^"]+)"/.exec(code)?.[1]?.replaceAll('&amp;', '&');
  assert.ok(src?.startsWith(`${kart}/embed?`), `the embed code's src starts with ${kart}/embed?: ${code}`);
  const preview = await page.getAttribute('#embed-preview', 'href');
  assert.ok(preview?.startsWith('/kart/embed'), `the preview link ${preview} starts with /kart/embed`);
  await page.keyboard.press('Escape');
  assertClean(p);
  await p.close();

  // The code's address, loaded on its own as a municipality's page would: the same checks.
  const e = await visit(src, { viewport: { width: 800, height: 600 }, also: () => document.querySelectorAll('.result').length > 0 });
  assert.equal(await e.page.evaluate(() => document.body.dataset.mode), 'embed');
  await assertLinks(e.page);
  assertClean(e);
  await e.close();
});

test('the planners\' page under /kart/: its map, links and the CSV download', async () => {
  const p = await visit(`${kart}/planner?kind=school&minutes=10`);
  const { page } = p;
  await page.evaluate(() => window.app.settled?.());
  await assertLinks(page);
  await assertDownload(page, '#csv-link');
  assertClean(p);
  await p.close();
});

test('nested pages under /kart/ read their id: the district profile and the knutepunkt', async () => {
  const d = await visit(`${kart}/omrade/${encodeURIComponent(frogner.id)}`);
  await d.page.evaluate(() => window.app.settled?.());
  assert.equal(await d.page.$eval('#not-found', (el) => el.hidden), true, 'not the not-found state');
  assert.equal(await d.page.$eval('#content', (el) => el.hidden), false, 'the profile is shown');
  assert.match(words(await d.page.textContent('h1')), /Frogner/);
  await assertLinks(d.page);
  assertClean(d);
  await d.close();

  const h = await visit(`${kart}/knutepunkt/${hub.id}`);
  assert.equal(words(await h.page.textContent('h1')), hub.properties.name, 'the hub\'s heading is its name');
  // The hub's embed code names this page under /kart/.
  const code = await h.page.inputValue('#embed-code');
  assert.ok(code.includes(`src="${kart}/knutepunkt/${hub.id}?embed=1"`), `the hub's embed code: ${code}`);
  await assertLinks(h.page);
  assertClean(h);
  await h.close();
});

test('medvirkning, /org and /admin under /kart/: links and downloads', async () => {
  const m = await visit(`${kart}/medvirkning`);
  await assertLinks(m.page);
  await assertDownload(m.page, '#csv-link');
  assertClean(m);
  await m.close();

  const o = await visit(`${kart}/org`, { allowed: SIGNED_OUT });
  assert.equal(await o.page.evaluate(() => window.app.view), 'signed-out');
  await assertLinks(o.page);
  await assertDownload(o.page, '#season-template');
  assertClean(o, { allowed: SIGNED_OUT });
  await o.close();

  const a = await visit(`${kart}/admin`, { allowed: SIGNED_OUT });
  assert.equal(await a.page.evaluate(() => window.app.view), 'signed-out');
  await assertLinks(a.page);
  assertClean(a, { allowed: SIGNED_OUT });
  await a.close();
});

test('every kind of file the pages use came through /kart/', () => {
  const kinds = {
    'MapLibre': `${kart}/vendor/maplibre-gl/maplibre-gl.mjs`,
    'its worker': /\/kart\/vendor\/maplibre-gl\/maplibre-gl-worker\.mjs/,
    'the kit\'s stylesheet': `${kart}/static/kit/base.css`,
    'a font': /\/kart\/fonts\/[^/]+\.woff2$/,
    'the Bokmål strings': `${kart}/static/i18n/nb.json`,
    'the map style': /\/kart\/styles\/default\.json/,
    'the basemap\'s TileJSON': /\/kart\/tiles\/basemap\.json/,
    'a facilities tile': /\/kart\/tiles\/facilities\/\d+\/\d+\/\d+(\.mvt)?(\?|$)/,
  };
  const urls = [...seen];
  const missing = Object.entries(kinds).filter(([, want]) => !urls.some((u) => (typeof want === 'string' ? u === want : want.test(u))
    && u.startsWith(`${kart}/`))).map(([name]) => name);
  assert.deepEqual(missing, [], `not asked for under ${kart}/ by any page (${urls.length} requests seen)`);
});

test('--public-url …/kart behind an nginx that says nothing: pages, links and the embed code still carry /kart', { skip: NO_CLI }, async () => {
  await configuredReady;
  const base = `${bareProxy.url}/kart`;
  const api = await get(`${base}/api`);
  assert.equal(api.status, 200);
  const hrefs = api.json.links.map((l) => l.href);
  assert.deepEqual(hrefs.filter((h) => !h.startsWith(`${base}/api`)), [], `links start with ${base}/api (the configured address)`);
  assert.ok(!api.text.includes('wrong.invalid'), 'no link names the wrong Host');

  const p = await visit(`${base}/${RESULT}`, { base, also: () => document.querySelectorAll('.result').length > 0 });
  const { page } = p;
  await assertLinks(page, base);
  await page.focus('#embed-open');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#embed-dialog[open]');
  const code = await page.inputValue('#embed-code');
  assert.ok(code.includes(`src="${base}/embed?`), `the embed code names ${base}/embed: ${code}`);
  await page.keyboard.press('Escape');
  assertClean(p, { base });
  await p.close();
});

test('--public-url …/kart: the CLI\'s sign-in link ends signed in on /kart/org, with a cookie for /kart only', { skip: NO_CLI }, async () => {
  await configuredReady;
  const base = `${bareProxy.url}/kart`;
  const { stdout } = await promisify(execFile)(configured.bin,
    ['--data', configured.data, '--public-url', base, 'admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name]);
  const link = stdout.trim();
  assert.match(link, new RegExp(`^${base.replace(/[.]/g, '\\.')}/auth/link/[0-9a-f]{64}$`), 'admin create prints a link under /kart');

  // The link page has no <link rel="icon">, so Chromium asks for /favicon.ico at the root of the
  // host (the browser's doing, not the page's): the one request allowed outside /kart/.
  const favicon = [new RegExp(`^${bareProxy.url.replace(/[.]/g, '\\.')}/favicon\\.ico`), /status of 404 \(Not Found\)/];
  const p = await openPage(browser, bareProxy.url, { viewport: { width: 1024, height: 700 } });
  const { page } = p;
  const shown = await page.goto(link);
  assert.equal(shown.status(), 200, 'the link page');
  await page.getByRole('button', { name: /Logg inn/ }).press('Enter');
  await page.waitForURL((u) => u.href !== link, { timeout: 15_000 });
  const landed = new URL(page.url());
  assert.equal(`${landed.pathname}${landed.search}`, '/kart/org?account=password',
    `the sign-in form leads to /kart/org?account=password (landed on ${page.url()}):\n  ${report(problems(p, base, favicon))}`);
  await ready(p, { base, allowed: favicon, also: () => window.app.view === 'password' });
  const cookies = await p.context.cookies(`${base}/`);
  const session = cookies.find((c) => /naermiljo_session/.test(c.name));
  assert.ok(session, `a session cookie: ${cookies.map((c) => c.name).join(', ') || 'none'}`);
  assert.equal(session.path, '/kart', 'the session cookie is for /kart only');
  assert.equal(await page.evaluate(async () => (await fetch('/kart/api/me')).status), 200, '/kart/api/me signed in');
  await page.screenshot({ path: screenshotPath('proxy-public-url-org.png') });
  assertClean(p, { base, allowed: favicon });
  await p.close();
});
