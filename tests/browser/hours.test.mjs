// Opening hours in the pages (issue 18): the residents' «Åpen nå» filter by keyboard (the
// request, the URL, the list, the status line, «åpent nå» over the places), each place's state
// now as the API says it, the next seven days in the fold-out as the API's opening_hours_week
// (the raw hours only where they could not be read), the calendar link (lang=en in English);
// the planner's «Åpent på et tidspunkt» (open_at on the coverage request, its CSV and the
// hexagons, the words that say what it means, with the year; what counted as the API's
// open_at_facilities; unknown hours counted as closed by keyboard: the request, the CSV and
// the URL; a year outside 2000–2100 is the field's error and asks nothing); axe on both pages
// in Bokmål and English.
// One server, one Chromium.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/hours.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO, axeViolations, launchBrowser, openPage, startServer } from './harness.mjs';

const strings = (path) => JSON.parse(readFileSync(join(REPO, 'web/i18n', path), 'utf8'));
const NB = strings('nb.json');
const EN = strings('en.json');
const PLANNER = { nb: strings('planner/nb.json'), en: strings('planner/en.json') };
const head = (s) => s.split('{')[0].trim();
const RESULT = `/?address=${encodeURIComponent('Thorvald Meyers gate 10, 0555 Oslo')}&point=10.759436,59.929261`;

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

/** Opens a page and waits for its app (not for every map tile: software GL is slow). */
async function open(path, options = {}) {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 }, ...options });
  await p.page.goto(`${origin}${path}`);
  await p.page.waitForFunction(() => {
    const app = window.app;
    if (!app?.ready) return false;
    if (!app.readyWatched) {
      app.readyWatched = true;
      app.ready.then(() => { app.readyDone = true; });
    }
    return app.readyDone === true;
  });
  return p;
}

async function api(path) {
  const r = await fetch(`${origin}${path}`);
  assert.equal(r.status, 200, path);
  return r.json();
}

/** The facility rows: id, the state line (data-open and text) or null. */
const placeRows = (page) => page.$$eval('.result[data-id]', (rows) => rows.map((r) => {
  const line = r.querySelector('.result-hours');
  return { id: Number(r.dataset.id), open: line?.dataset.open ?? null, text: line?.textContent ?? null };
}));

/** 20.00 (nb) or 20:00 (en): a moment's time of day in Oslo. */
const clock = (iso, sep) => new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Oslo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
  .format(new Date(iso)).replace(':', sep);

/** Each place's state line agrees with /api/reach for the page's own query; returns the facilities with known hours. */
async function statesAgree(page, words, sep) {
  const query = await page.evaluate(() => window.app.reachQuery);
  const body = await api(`/api/reach?${query}`);
  const byId = new Map(body.facilities.features.map((f) => [f.id, f.properties]));
  const rows = await placeRows(page);
  assert.equal(rows.length, byId.size, 'a row per facility of the answer');
  const known = [];
  for (const row of rows) {
    const p = byId.get(row.id);
    assert.ok(p, `row ${row.id} is in the answer`);
    if (p.open_now === null) {
      assert.equal(row.text, null, `${p.name ?? row.id}: unknown hours say nothing (never "closed")`);
      continue;
    }
    known.push(row.id);
    assert.equal(row.open, String(p.open_now), `${p.name}: data-open`);
    assert.ok(row.text.startsWith(p.open_now ? words.open : words.closed), `${p.name}: "${row.text}"`);
    if (p.next_change) assert.ok(row.text.includes(clock(p.next_change, sep)), `${p.name}: "${row.text}" has ${p.next_change}`);
  }
  return known;
}

test('residents: «Åpen nå» by keyboard filters the request and the list; states as the API says; hours and the calendar link', async () => {
  const p = await open(RESULT);
  const { page } = p;
  await page.waitForFunction(() => window.app.reach && document.querySelectorAll('.result[data-id]').length > 0);
  const known = await statesAgree(page, { open: NB.hours.open, closed: NB.hours.closed }, '.');
  assert.ok(known.length >= 1, `places with known hours near the address: ${known.length}`);
  const before = (await placeRows(page)).length;

  // The next seven days in its fold-out (opened by keyboard), as the reach answer has them:
  // a row per day (weekday and date, today marked), the open times, «Stengt»; no raw text.
  const id = known[0];
  const reached = await api(`/api/reach?${await page.evaluate(() => window.app.reachQuery)}`);
  const week = reached.facilities.features.find((f) => f.id === id).properties.opening_hours_week;
  assert.equal(week?.length, 7, 'the API gives seven days');
  await page.focus(`.result[data-id="${id}"] .result-hours-details > summary`);
  await page.keyboard.press('Enter');
  const table = `.result[data-id="${id}"] table.week-table`;
  await page.waitForSelector(table, { state: 'visible' });
  const shown = await page.$$eval(`${table} tbody tr`, (trs) => trs.map((tr) => ({
    date: tr.dataset.date, day: tr.querySelector('th').textContent, hours: tr.querySelector('.week-hours').textContent,
    current: tr.getAttribute('aria-current'),
  })));
  assert.deepEqual(shown.map((r) => r.date), week.map((d) => d.date), 'one row per day of the API');
  const weekday = (date, locale) => new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(new Date(`${date}T12:00Z`));
  week.forEach((d, i) => {
    assert.ok(shown[i].day.startsWith(weekday(d.date, 'nb-NO')), `${d.date}: «${shown[i].day}»`);
    if (d.unknown.length) return;
    const hours = d.open.length ? d.open.map(([a, b]) => `${a.replace(':', '.')}–${b.replace(':', '.')}`).join(', ') : NB.opening_week.closed;
    assert.equal(shown[i].hours, hours, `${d.date}'s hours`);
  });
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Oslo' }).format(new Date());
  assert.deepEqual(shown.filter((r) => r.current === 'date').map((r) => r.date), shown.some((r) => r.date === today) ? [today] : [], 'today marked');
  assert.equal(await page.$(`.result[data-id="${id}"] .opening-hours`), null, 'no raw text beside a week');

  // Hours with a text the server could not read (open_now null): no state, but the text is in the fold-out.
  const unread = (await api(`/api/reach?${await page.evaluate(() => window.app.reachQuery)}`)).facilities.features
    .find((f) => f.properties.open_now === null && f.properties.opening_hours);
  if (unread) {
    const row = `.result[data-id="${unread.id}"]`;
    assert.equal(await page.$(`${row} .result-hours`), null, 'no state for hours that could not be read');
    await page.click(`${row} .result-hours-details > summary`);
    await page.waitForSelector(`${row} .opening-hours-value[data-loaded]`);
    assert.equal(await page.textContent(`${row} .opening-hours-value`), unread.properties.opening_hours);
  }

  // The calendar link: this point, this walk, as iCalendar; and it answers.
  const state = await page.evaluate(() => window.app.state);
  const href = await page.getAttribute('#calendar-link', 'href');
  const cal = new URL(href, origin);
  assert.equal(cal.pathname, '/api/calendar');
  assert.deepEqual([Number(cal.searchParams.get('lon')), Number(cal.searchParams.get('lat'))], state.point);
  assert.equal(cal.searchParams.get('minutes'), String(state.minutes));
  assert.equal(cal.searchParams.get('f'), 'ics');
  assert.equal(cal.searchParams.has('lang'), false, 'Bokmål is the calendar\'s own language');
  assert.equal(await page.textContent('#calendar-link'), NB.calendar.link);
  const ics = await fetch(cal);
  assert.equal(ics.status, 200);
  assert.match(ics.headers.get('content-type'), /^text\/calendar/);
  assert.match(await ics.text(), /^BEGIN:VCALENDAR/);

  // «Åpen nå» with the keyboard: open the filters, Tab to the box, Space.
  await page.focus('#filters > summary');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'open-now');
  const asked = page.waitForRequest((r) => r.url().includes('/api/reach?') && new URL(r.url()).searchParams.get('open_now') === 'true');
  await page.keyboard.press('Space');
  await asked;
  await page.waitForFunction(() => /open_now=true/.test(window.app.reachQuery) && /open_now=true/.test(location.search)
    && document.getElementById('results').getAttribute('aria-busy') === 'false');
  const openAnswer = await api(`/api/reach?${await page.evaluate(() => window.app.reachQuery)}`);
  const rows = await placeRows(page);
  assert.deepEqual(rows.map((r) => r.id), openAnswer.facilities.features.map((f) => f.id), 'the list is the open places of the API');
  assert.ok(rows.length < before, `fewer places: ${rows.length} of ${before}`);
  for (const r of rows) assert.equal(r.open, 'true', `row ${r.id} is open now`);
  assert.ok((await page.textContent('#status')).includes(NB.status.open_now), 'the status line (role=status) says so');
  assert.equal(await page.textContent('.places-filters'), NB.list.filtered.replace('{filters}', NB.filters.open_now_places_value),
    'the places say «åpent nå» (the activities «pågår nå»)');
  assert.equal(await page.evaluate(() => new URL(document.getElementById('calendar-link').href).searchParams.has('open_now')), false,
    'the calendar takes no open_now');
  assert.deepEqual(await axeViolations(page), [], 'axe, nb, filters open, «Åpen nå» on');
  assertClean(p);
  await p.close();

  // English: the same states in English words; the filter read back from the URL.
  const q = await open(`${RESULT}&lang=en`);
  await q.page.waitForFunction(() => window.app.reach && document.querySelectorAll('.result[data-id]').length > 0);
  assert.ok((await statesAgree(q.page, { open: EN.hours.open, closed: EN.hours.closed }, ':')).length >= 1);
  await q.page.click('#filters > summary');
  assert.equal(await q.page.isChecked('#open-now'), false);
  assert.equal(await q.page.textContent('#calendar-link'), EN.calendar.link);
  assert.equal(new URL(await q.page.getAttribute('#calendar-link', 'href'), origin).searchParams.get('lang'), 'en', 'the calendar in English');
  // The week in English: the weekday named in English, the caption's words.
  await q.page.click(`.result[data-id="${id}"] .result-hours-details > summary`);
  assert.ok((await q.page.textContent(`.result[data-id="${id}"] .week-caption`)).endsWith(EN.opening_week.caption));
  assert.ok((await q.page.textContent(`.result[data-id="${id}"] tbody th`)).startsWith(weekday(week[0].date, 'en-GB')));
  assert.deepEqual(await axeViolations(q.page), [], 'axe, en, filters open');
  assertClean(q);
  await q.close();
});

test('planner: «Åpent på et tidspunkt» adds open_at to the coverage, its CSV and the hexagons, and says what it means', async () => {
  for (const lang of ['nb', 'en']) {
    const s = PLANNER[lang];
    const p = await open(`/planner?kind=library&minutes=10&hex=1${lang === 'nb' ? '' : '&lang=en'}`, { viewport: { width: 1280, height: 1000 } });
    const { page } = p;
    await page.evaluate(() => window.app.settled());
    assert.equal(await page.isChecked('#open-at-on'), false, 'off by default');
    assert.equal(await page.$('#open-at-explained'), null);

    await page.focus('#open-at-on');
    const first = page.waitForRequest((r) => r.url().includes('/api/coverage?') && new URL(r.url()).searchParams.has('open_at'));
    await page.keyboard.press('Space');
    const firstAt = new URL((await first).url()).searchParams.get('open_at');
    assert.match(firstAt, /^\d{4}-\d{2}-\d{2}T18:00$/, 'a weekday evening at 18 to begin with');
    assert.ok([1, 2, 3, 4, 5].includes(new Date(`${firstAt}:00Z`).getUTCDay()), `${firstAt} is a weekday`);

    // A quick choice by keyboard: Saturday at 12.
    await page.waitForSelector('#open-at-panel:not([hidden])');
    await page.focus('#open-at-quick [data-quick=saturday]');
    const second = page.waitForRequest((r) => r.url().includes('/api/coverage?') && /T12:00$/.test(new URL(r.url()).searchParams.get('open_at') ?? ''));
    await page.keyboard.press('Enter');
    const url = new URL((await second).url());
    const at = url.searchParams.get('open_at');
    assert.equal(new Date(`${at}:00Z`).getUTCDay(), 6, `${at} is a Saturday`);
    await page.waitForFunction((a) => window.app.coverage && !window.app.busy && new URLSearchParams(location.search).get('open_at') === a
      && document.getElementById('open-at-explained'), at);
    assert.equal(await page.inputValue('#open-at'), at);

    // The page shows what the API answers for that question.
    const expected = await api(`${url.pathname}${url.search}`);
    assert.deepEqual(await page.evaluate(() => window.app.coverage.total), expected.total);
    const explained = await page.textContent('#open-at-explained');
    assert.ok(explained.startsWith(head(s.results.open_at)), explained);
    assert.ok(explained.endsWith(s.results.open_at.split('{when}')[1]), `${explained}: unknown hours count as open`);
    assert.ok(explained.includes(lang === 'nb' ? 'lørdag' : 'Saturday'), explained);
    assert.ok(explained.includes(lang === 'nb' ? '12.00' : '12:00'), explained);
    assert.ok(explained.includes(at.slice(0, 4)), `${explained}: the year`);
    assert.equal(new URL(await page.getAttribute('#csv-link', 'href'), origin).searchParams.get('open_at'), at, 'the CSV');
    const hex = await page.evaluate(() => window.app.map.getSource('pl-hex')?.url ?? null);
    assert.equal(new URL(hex).searchParams.get('open_at'), at, 'the hexagons');
    assert.equal(await page.isVisible('#open-at-hint'), true);

    // What counted, as the API's open_at_facilities says (unknown hours counted as open).
    const said = async () => page.$eval('#open-at-counts', (el) => ({ ...el.dataset, text: el.textContent }));
    const agrees = (shown, c) => {
      assert.deepEqual([shown.open, shown.closed, shown.unknown, shown.unknownCountedAs], [c.open, c.closed, c.unknown, c.unknown_counted_as].map(String));
      const unknown = s.results[`open_at_n_unknown_${c.unknown_counted_as}`][c.unknown === 1 ? 'one' : 'other'].replace('{n}', c.unknown);
      assert.ok(shown.text.includes(`${c.open + c.closed + c.unknown}`) && shown.text.includes(unknown), shown.text);
    };
    agrees(await said(), expected.open_at_facilities);
    // Unknown hours counted as closed, by keyboard (the group's arrow keys): the request, the CSV, the URL.
    await page.focus('#unknown-hours input[value=open]');
    const closedAsked = page.waitForRequest((r) => r.url().includes('/api/coverage?') && new URL(r.url()).searchParams.get('unknown_hours') === 'closed');
    await page.keyboard.press('ArrowDown');
    const closedUrl = new URL((await closedAsked).url());
    await page.waitForFunction(() => !window.app.busy && new URLSearchParams(location.search).get('unknown_hours') === 'closed'
      && document.getElementById('open-at-counts')?.dataset.unknownCountedAs === 'closed');
    agrees(await said(), (await api(`${closedUrl.pathname}${closedUrl.search}`)).open_at_facilities);
    assert.ok((await page.textContent('#open-at-explained')).endsWith(s.results.open_at_unknown_closed.split('{when}')[1]));
    assert.equal(new URL(await page.getAttribute('#csv-link', 'href'), origin).searchParams.get('unknown_hours'), 'closed', 'the CSV');
    const hexClosed = new URL(await page.evaluate(() => window.app.map.getSource('pl-hex').url));
    assert.equal(hexClosed.searchParams.get('unknown_hours'), 'closed', 'the hexagons');

    assert.deepEqual(await axeViolations(page), [], `axe on /planner (${lang}) with a time chosen`);

    // A year outside 2000–2100 is the field's error, and nothing is asked while it is there.
    const asked = [];
    const count = (r) => { if (r.url().includes('/api/coverage')) asked.push(r.url()); };
    page.on('request', count);
    for (const bad of ['1999-02-03T12:00', '2101-02-03T12:00']) {
      await page.fill('#open-at', bad);
      await page.waitForFunction(() => document.getElementById('open-at').getAttribute('aria-invalid') === 'true');
      assert.equal(await page.textContent('#open-at-error'), s.question.open_at_invalid.replace('{from}', '2000').replace('{to}', '2100'));
    }
    await page.waitForTimeout(400);
    assert.deepEqual(asked, [], 'no request for an invalid year');
    assert.equal(new URLSearchParams(await page.evaluate(() => location.search)).get('open_at'), at, 'the URL keeps the last good time');
    page.off('request', count);
    // A good one again: asked for, and said with its year («onsdag 3. februar 2027 kl. 12.00»).
    const good = page.waitForRequest((r) => r.url().includes('/api/coverage?') && new URL(r.url()).searchParams.get('open_at') === '2027-02-03T12:00');
    await page.fill('#open-at', '2027-02-03T12:00');
    await good;
    await page.waitForFunction(() => !window.app.busy && /2027/.test(document.getElementById('open-at-explained')?.textContent ?? ''));
    assert.equal(await page.getAttribute('#open-at', 'aria-invalid'), 'false');
    assert.equal(await page.textContent('#open-at-error'), '');
    assert.ok((await page.textContent('#open-at-explained')).includes(lang === 'nb' ? 'onsdag 3. februar 2027 kl. 12.00' : 'Wednesday 3 February 2027 at 12:00'));

    // Off again: the question without open_at.
    const third = page.waitForRequest((r) => r.url().includes('/api/coverage?') && !new URL(r.url()).searchParams.has('open_at')
      && !new URL(r.url()).searchParams.has('unknown_hours'));
    await page.focus('#open-at-on');
    await page.keyboard.press('Space');
    await third;
    await page.waitForFunction(() => !window.app.busy && !document.getElementById('open-at-explained') && !/open_at|unknown_hours/.test(location.search));
    assertClean(p);
    await p.close();
  }
});
