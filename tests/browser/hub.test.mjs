// A knutepunkt's page (/knutepunkt/{id}, issue 18) in a real browser, as a resident uses it:
// the two invented hubs of fixtures/hours/knutepunkter.geojson imported into the running
// server, then «Prøve knutepunkt Grünerløkka»'s page: every service of the API with its label
// and a state that agrees with services_now, its hours and each service's as a table of the
// next seven days equal to the API's weeks (opening_hours_week, services_now[i].week), contacts as links, the week's activities and the
// volunteer needs as the API has them, the walking time from an address chosen by keyboard
// equal to /api/reach's (a search without a match clears it; an address off the walking
// network, the server's 422, gets the residents' map's kind of words), the embed (?embed=1: no
// site header; links to other sites open in a new tab), example activities marked «Eksempel»
// on a demo hub, an unknown id, English, 320 px and 320 × 256, axe, and no request off the server.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/hub.test.mjs
//
// Screenshots go to target/screenshots/hub*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as pause } from 'node:timers/promises';

import { REPO, axeViolations, launchBrowser, openPage, screenshotPath, startServer } from './harness.mjs';

const NAME = 'Prøve knutepunkt Grünerløkka';
const ADDRESS = 'Thorvald Meyers gate 10';
const strings = (lang) => JSON.parse(readFileSync(join(REPO, 'web/i18n/hub', `${lang}.json`), 'utf8'));
const NB = strings('nb');
const EN = strings('en');
/** The shared words of the weekly table (kit/week.js). */
const WEEK = JSON.parse(readFileSync(join(REPO, 'web/i18n/nb.json'), 'utf8')).opening_week;

let server;
let browser;
let origin;
let hubId;

before(async () => {
  server = await startServer();
  origin = server.url;
  const launched = launchBrowser();
  if (server.bin) {
    await promisify(execFile)(server.bin, ['--data', server.data, 'import', 'facilities',
      join(REPO, 'fixtures/hours/knutepunkter.geojson'), '--kind', 'knutepunkt', '--source', 'knutepunkter'], { cwd: REPO });
  }
  // The running server follows the store: ask until the hub is there (polled, not a fixed wait).
  const deadline = Date.now() + 120_000;
  const q = `/api/collections/facilities/items?kind=community_centre&q=${encodeURIComponent('Grünerløkka')}`;
  while (!hubId) {
    const found = (await api(q)).features.find((f) => f.properties.name === NAME);
    if (found) hubId = String(found.id);
    else if (Date.now() > deadline) assert.fail(`${NAME} did not appear in ${q}`);
    else await pause(100);
  }
  browser = await launched;
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

const item = () => api(`/api/collections/facilities/items/${hubId}`);

/** Every request stayed on the server, none failed, and the page logged no error. */
function assertClean(p) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures, [], 'failed requests');
  assert.deepEqual(p.errors, [], 'errors in the page');
}

/** Waits for `window.app.ready` (polled, as harness.settle does) and no pending request. */
async function ready(page) {
  await page.waitForFunction(() => {
    const app = window.app;
    if (!app?.ready) return false;
    if (!app.readyWatched) {
      app.readyWatched = true;
      app.ready.then(() => { app.readyDone = true; });
    }
    return app.readyDone === true && !app.busy;
  });
}

async function open(path, options = {}) {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 }, ...options });
  await p.page.goto(`${origin}${path}`);
  await ready(p.page);
  return p;
}

/** Text as a reader sees it, with every kind of space as one plain space. */
const words = (s) => s.replace(/[\s\u00a0\u202f]+/g, ' ').trim();

/** What the page shows of each service: label, own name, state (text, open, time) and contact link. */
const shownServices = (page) => page.$$eval('#services li.service', (items) => items.map((li) => {
  const state = li.querySelector('.service-state');
  const link = li.querySelector('.service-facts a');
  return {
    label: li.querySelector('h3').textContent,
    name: li.querySelector('.service-name')?.textContent ?? null,
    open: state ? state.dataset.open : null,
    text: state?.textContent ?? null,
    time: state?.querySelector('time')?.getAttribute('datetime') ?? null,
    href: link?.getAttribute('href') ?? null,
  };
}));

/** The page's state of a service agrees with `now` ({open_now, next_change}) in `lang`'s words. */
function agrees(shown, now, lang) {
  const w = lang === 'en' ? EN.hours : NB.hours;
  if (now?.open_now !== true && now?.open_now !== false) return shown.open === null && shown.text === null;
  const start = words(now.open_now ? w.open : w.closed);
  return shown.open === String(now.open_now) && words(shown.text).startsWith(start)
    && shown.time === (now.next_change ?? null);
}

test('the hub\'s page lists every service of the API with its label, name, state now and contact', async () => {
  const before = await item();
  const p = await open(`/knutepunkt/${hubId}`);
  const { page } = p;
  const after = await item();
  const props = before.properties;
  assert.equal(words(await page.textContent('h1')), NAME);
  assert.equal(await page.title(), `${NAME} – knutepunkt – Nærmiljø`);
  const facts = words(await page.textContent('#facts'));
  assert.ok(facts.includes(props.address), `the address in «${facts}»`);
  assert.equal(await page.getAttribute('#district-link', 'href'), `/omrade/${encodeURIComponent(props.district_id)}`);
  assert.equal(words(await page.textContent('#district-link')), props.district);
  // The hub's own state: as the API says (or nothing when it does not know).
  const own = await page.$eval('#facts', (el) => {
    const s = el.querySelector('.hub-state');
    return s ? { open: s.dataset.open, text: s.textContent, time: s.querySelector('time')?.getAttribute('datetime') ?? null } : { open: null, text: null, time: null };
  });
  assert.ok(agrees(own, props, 'nb') || agrees(own, after.properties, 'nb'), `the hub's state ${JSON.stringify(own)}`);

  const shown = await shownServices(page);
  assert.ok(props.services.length >= 6, 'the fixture\'s hub has its six services');
  assert.equal(shown.length, props.services.length, 'one entry per service');
  props.services.forEach((s, i) => {
    assert.equal(shown[i].label, s.label_nb, `service ${i}'s label`);
    assert.equal(shown[i].name, s.name, `service ${i}'s own name`);
    assert.ok(agrees(shown[i], props.services_now[i], 'nb') || agrees(shown[i], after.properties.services_now[i], 'nb'),
      `service ${s.service}: the page shows ${JSON.stringify(shown[i])}, the API ${JSON.stringify(props.services_now[i])}`);
  });
  // The hours of the hub and of each service: a table row per day of the API's week, with its
  // open times (or «Stengt») and comments; no raw text beside a week.
  const weeks = await page.$$eval('#facts, #services li.service', (els) => els.map((el) => [...el.querySelectorAll('.week-table tbody tr')]
    .map((tr) => [tr.dataset.date, tr.querySelector('.week-hours').textContent, [...tr.querySelectorAll('.week-comment')].map((c) => c.textContent)])));
  const expectedWeek = (week) => (week ?? []).map((d) => [d.date, d.unknown.length ? null
    : d.open.map(([a, b]) => `${a.replace(':', '.')}–${b.replace(':', '.')}`).join(', ') || WEEK.closed, d.comments]);
  [props.opening_hours_week, ...props.services_now.map((n) => n.week)].forEach((week, i) => {
    const want = expectedWeek(week);
    assert.deepEqual(weeks[i].map((r, j) => (want[j]?.[1] === null ? [r[0], null, r[2]] : r)), want, `the week of ${i ? `service ${i - 1}` : 'the hub'}`);
  });
  assert.ok(weeks[3].some((r) => r[2].includes('timebestilling')), 'the health station\'s comment');
  assert.equal(await page.$('#facts .opening-hours, #services .opening-hours'), null, 'no raw text beside a week');
  // Contacts: a phone number, an email address and a web address become links.
  const hrefs = shown.map((s) => s.href).filter(Boolean);
  assert.deepEqual(hrefs, ['tel:+4721000000', 'mailto:helsestasjon@example.org', 'https://example.org/booking']);
  // On the site itself every link stays in the window.
  assert.deepEqual(await page.$$eval('#services a', (as) => as.map((a) => a.target).filter(Boolean)), []);

  // This week's activities at the hub, and the volunteer needs within 15 minutes, as the API has them.
  const week = await api(`/api/calendar?facility=${hubId}`);
  const sessions = await page.$$eval('#week li.session', (els) => els.length);
  assert.equal(sessions, week.sessions.length, 'one entry per session this week');
  if (week.sessions.length === 0) assert.equal(words(await page.textContent('#week-empty')), NB.week.none);
  const [lon, lat] = before.geometry.coordinates;
  const needs = await api(`/api/collections/volunteer-needs/items?lon=${lon}&lat=${lat}&minutes=15`);
  assert.equal(await page.$$eval('#needs li.need', (els) => els.length), needs.features.length, 'one entry per need');
  if (needs.features.length) {
    const titles = await page.$$eval('#needs .need-title', (els) => els.map((e) => e.textContent).sort());
    assert.deepEqual(titles, needs.features.map((f) => f.properties.title).sort());
  } else assert.equal(words(await page.textContent('#needs-empty')), NB.needs.none);
  assert.match(words(await page.textContent('#status')), new RegExp(`^Viser ${NAME}\\.`), 'the status line says what is shown');

  // The map is there, with the attribution.
  assert.equal(await page.isVisible('#map canvas'), true);
  assert.match(await page.textContent('.maplibregl-ctrl-attrib'), /OpenStreetMap/);
  // The embed code points at this page with embed=1.
  const code = await page.inputValue('#embed-code');
  assert.ok(code.startsWith('<iframe title="'), code);
  assert.ok(code.includes(`src="${origin}/knutepunkt/${hubId}?embed=1"`), code);

  await page.screenshot({ path: screenshotPath('hub.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe in Bokmål');
  assertClean(p);
  await p.close();
});

test('«Hvor langt er det for meg?»: an address by keyboard gives the walking time of /api/reach', async () => {
  const p = await open(`/knutepunkt/${hubId}`, { viewport: { width: 1024, height: 700 } });
  const { page } = p;
  const suggestions = await api(`/api/addresses/search?limit=8&q=${encodeURIComponent(ADDRESS)}`);
  const first = suggestions.features[0];
  assert.ok(first, 'the demo has the address');
  const [lon, lat] = first.geometry.coordinates;
  const reach = await api(`/api/reach?lon=${lon}&lat=${lat}&minutes=60&kind=community_centre`);
  const mine = reach.facilities.features.find((f) => String(f.id) === hubId);
  assert.ok(mine, 'the hub is within an hour of the address');

  // The hint's example is the address the server put in the page's head (one of its data),
  // not a fixed Oslo one, in the field's description.
  const example = await page.getAttribute('meta[name="naermiljo-example-address"]', 'content');
  assert.ok(example?.trim(), 'the page carries an example address');
  assert.equal(words(await page.textContent('#address-hint')), words(NB.distance.hint.replace('{example_address}', example)));
  assert.match(await page.getAttribute('#address', 'aria-describedby'), /address-hint/);

  // The skip link leads to the search; the field is reached by Tab from the heading.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#distance-heading');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'distance-heading');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'address');
  await page.keyboard.type(ADDRESS);
  await page.waitForSelector('#address-options [role=option]');
  assert.equal(await page.getAttribute('#address', 'aria-expanded'), 'true');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#distance-result[data-minutes]');
  assert.equal(await page.getAttribute('#distance-result', 'data-minutes'), String(mine.properties.walk_minutes));
  const said = words(await page.textContent('#distance-result'));
  assert.ok(said.startsWith(`Fra ${first.properties.label} tar det omtrent ${mine.properties.walk_minutes} minutt`), said);
  assert.ok(said.includes(NAME), said);
  assert.equal(await page.getAttribute('#distance-result', 'role'), 'status');

  // A search that finds no address clears the result instead of leaving the last one.
  await page.fill('#address', 'Qxqxzzv');
  await page.waitForFunction((s) => document.getElementById('address-message').textContent === s, NB.search.no_suggestions);
  assert.equal(await page.textContent('#distance-result'), '');
  assert.equal(await page.getAttribute('#distance-result', 'data-minutes'), null);

  // An address the walking network does not reach: the server's own 422 (a point far from its
  // network) for this address, said as the residents' map says it, not "try again".
  const outside = await fetch(`${origin}/api/reach?lon=5.3221&lat=60.3913&minutes=60&kind=community_centre`);
  assert.equal(outside.status, 422);
  const problem = await outside.text();
  await page.route('**/api/reach?**', (route) => route.fulfill({ status: 422, contentType: 'application/problem+json', body: problem }));
  await page.fill('#address', ADDRESS);
  await page.waitForSelector('#address-options [role=option]');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  const expected = words(NB.distance.outside.replace('{address}', first.properties.label));
  await page.waitForFunction((e) => document.getElementById('distance-result').textContent.replace(/[\s\u00a0\u202f]+/g, ' ').trim() === e, expected);
  assert.equal(await page.getAttribute('#distance-result', 'data-minutes'), null);
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures.filter((f) => !/\/api\/reach\?.*HTTP 422$/.test(f)), [], 'failed requests but the 422');
  assert.deepEqual(p.errors.filter((e) => !/422/.test(e)), [], 'errors in the page but the 422');
  await p.close();
});

test('English at 320 px and 320 × 256: labels in English, free text marked Norwegian, no sideways scrolling, axe', async () => {
  const before = await item();
  const p = await open(`/knutepunkt/${hubId}?lang=en`, { viewport: { width: 320, height: 640 } });
  const { page } = p;
  assert.equal(await page.getAttribute('html', 'lang'), 'en');
  assert.equal(words(await page.textContent('#distance-heading')), EN.distance.heading);
  assert.equal(await page.$eval('h1 span', (el) => el.lang), 'nb', 'the name is marked Norwegian');
  const shown = await shownServices(page);
  const after = await item();
  before.properties.services.forEach((s, i) => {
    assert.equal(shown[i].label, s.label_en, `service ${i}'s label in English`);
    assert.ok(agrees(shown[i], before.properties.services_now[i], 'en') || agrees(shown[i], after.properties.services_now[i], 'en'),
      `service ${s.service} in English: ${JSON.stringify(shown[i])}`);
  });
  assert.equal(await page.$eval('.service-name', (el) => el.lang), 'nb');
  assert.equal(await page.$eval('#services .week-comment', (el) => el.lang), 'nb', 'a comment on the hours is marked Norwegian');
  assert.ok((await page.textContent('#facts .week-table tbody th')).startsWith(new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' })
    .format(new Date(`${before.properties.opening_hours_week[0].date}T12:00Z`))), 'the days in English');
  // The language switch leads back to Bokmål with the same hub.
  assert.equal(await page.getAttribute('#lang-list a[hreflang=nb]', 'href'), `/knutepunkt/${hubId}`);
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling at 320 px');
  await page.screenshot({ path: screenshotPath('hub-320-en.png'), fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe in English at 320 px');

  // 320 × 256 (400 % zoom): still one column, the address field reachable and usable.
  await page.setViewportSize({ width: 320, height: 256 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling at 320 × 256');
  await page.focus('#address');
  const box = await page.$eval('#address', (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, width: r.width }; });
  assert.ok(box.top >= 0 && box.bottom <= 256 && box.width > 200, `the address field in view: ${JSON.stringify(box)}`);
  assertClean(p);
  await p.close();
});

test('?embed=1: the page without the site header and footer; forced colours keep the states', async () => {
  const p = await open(`/knutepunkt/${hubId}?embed=1`, { viewport: { width: 600, height: 800 }, forcedColors: 'active' });
  const { page } = p;
  assert.equal(await page.$('.site-header'), null, 'no site header');
  assert.equal(await page.$('.site-footer'), null, 'no site footer');
  assert.equal(await page.$eval('#embed-part', (el) => el.hidden), true, 'no embed code inside the embed');
  assert.equal(words(await page.textContent('h1')), NAME);
  assert.equal(await page.getAttribute('#district-link', 'target'), '_top');
  // A service's web address (another site, which would refuse the frame) opens in a new tab;
  // phone and email links are left as they are.
  const links = await page.$$eval('#services a', (as) => as.map((a) => [a.getAttribute('href'), a.target, a.rel]));
  assert.deepEqual(links, [['tel:+4721000000', '', ''], ['mailto:helsestasjon@example.org', '', ''],
    ['https://example.org/booking', '_blank', 'noopener']]);
  // In forced colours the state keeps its mark (a filled or an empty circle), not only a colour.
  const marks = await page.$$eval('.service-state', (els) => els.map((e) => getComputedStyle(e, '::before').content));
  assert.ok(marks.length > 0 && marks.every((m) => /[●○]/.test(m)), `state marks: ${marks}`);
  assert.deepEqual(await axeViolations(page), [], 'axe in the embed');
  assertClean(p);
  await p.close();
});

test('example activities are marked «Eksempel» on a demo hub\'s page, as on the residents\' map', async () => {
  // A knutepunkt of the demo with an example activity in the next seven days (the demo programme's).
  const hubs = (await api('/api/collections/facilities/items?kind=community_centre&limit=1000')).features;
  let found = null;
  for (const f of hubs) {
    const week = await api(`/api/calendar?facility=${f.id}`);
    if (!week.sessions.length) continue;
    const examples = (await api(`/api/collections/activities/items?facility=${f.id}&limit=1000`)).features
      .filter((a) => a.properties.example).map((a) => String(a.id));
    if (examples.length) {
      found = { id: f.id, week, examples };
      break;
    }
  }
  assert.ok(found, 'the demo has a knutepunkt with example activities');
  const p = await open(`/knutepunkt/${found.id}`);
  const { page } = p;
  const shown = await page.$$eval('#week li.session', (lis) => lis.map((li) => ({
    id: li.dataset.activityId, badge: li.querySelector('.badge-example')?.textContent ?? null,
  })));
  assert.equal(shown.length, found.week.sessions.length);
  for (const s of shown) {
    const example = found.examples.includes(s.id);
    assert.equal(s.badge, example ? `${NB.week.example}: ${NB.week.example_explained}` : null, `activity ${s.id}`);
  }
  assert.ok(shown.some((s) => s.badge), 'at least one badge');
  assert.equal(words(await page.textContent('#week-heading')), NB.week.heading);
  assert.equal(await page.$eval('#status', (el) => getComputedStyle(el).fontWeight), '400', 'the status line is plain text');
  assert.deepEqual(await axeViolations(page), [], 'axe with example activities');
  assertClean(p);
  await p.close();
});

test('an unknown id says there is no such knutepunkt', async () => {
  const p = await openPage(browser, origin, { viewport: { width: 800, height: 600 } });
  const { page } = p;
  await page.goto(`${origin}/knutepunkt/999999999`);
  await ready(page);
  assert.equal(words(await page.textContent('h1')), NB.not_found.heading);
  assert.equal(await page.$eval('#not-found', (el) => el.hidden), false);
  assert.equal(await page.getAttribute('#not-found', 'role'), 'alert');
  assert.equal(words(await page.textContent('#not-found-text')), NB.not_found.text.replace('{id}', '999999999'));
  assert.equal(await page.$eval('#content', (el) => el.hidden), true);
  // The one failure is the API's 404 (the browser logs it); nothing else went wrong.
  assert.deepEqual(p.failures, [`${origin}/api/collections/facilities/items/999999999: HTTP 404`]);
  assert.deepEqual(p.errors.filter((e) => !/404/.test(e)), []);
  assert.deepEqual(await axeViolations(page), [], 'axe on the not-found page');
  await p.close();
});
