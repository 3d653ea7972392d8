// The server's problems (RFC 9457) in the page's language (issue 21 item 5): kit/problems.js
// says each problem type the server sends (the Problem schema's `type` enum of the served
// OpenAPI document) in one sentence from web/i18n/{nb,en}.json's `problems`, on every page,
// never with the server's English `detail`. The planners' page meets the server's own
// limit-exceeded answer (its /api/coverage answered with it) in Bokmål and in English; a request
// that gets no answer at all is said as such.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/problems.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO, axeViolations, launchBrowser, openPage, settle, startServer } from './harness.mjs';

const strings = (path) => JSON.parse(readFileSync(join(REPO, 'web/i18n', path), 'utf8'));
const SHARED = { nb: strings('nb.json'), en: strings('en.json') };
const PLANNER = { nb: strings('planner/nb.json'), en: strings('planner/en.json') };
const words = (s) => (s ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();
/** A string with its placeholders filled (numbers below 1000: no grouping to format). */
const fill = (s, vars) => s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));

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

/** The server's own answer to a question over its limit: a limit-exceeded problem. */
async function limitExceeded() {
  const r = await fetch(`${origin}/api/coverage?kind=school&minutes=61`);
  assert.equal(r.status, 400);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  const text = await r.text();
  const body = JSON.parse(text);
  assert.equal(body.type, '/problems/limit-exceeded');
  assert.equal(body.parameter, 'minutes');
  assert.equal(typeof body.limit, 'number');
  assert.ok(body.detail, 'the server gives a detail');
  return { text, body };
}

/** The planners' page with /api/coverage answered by `answer`; resolves when it has started. */
async function plannerMeeting(lang, answer) {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  await p.page.route('**/api/coverage?**', answer);
  await p.page.goto(`${origin}/planner?kind=school&minutes=10${lang === 'en' ? '&lang=en' : ''}`);
  await settle(p.page);
  await p.page.evaluate(() => window.app.settled());
  return p;
}

test('every problem type the server sends has a sentence in Bokmål and English, and the page says each', async () => {
  const doc = await (await fetch(`${origin}/api/openapi.json`)).json();
  const types = doc.components.schemas.Problem.properties.type.enum;
  assert.ok(types.length >= 19, `the Problem schema names its types: ${types}`);
  const kinds = types.map((x) => x.replace('/problems/', ''));
  for (const lang of ['nb', 'en']) {
    for (const kind of kinds) {
      assert.equal(typeof SHARED[lang].problems[kind.replaceAll('-', '_')], 'string', `${lang}: problems.${kind}`);
    }
  }
  // The page's helper, on a page whose own strings do not have them (the planners'): the
  // sentence for each type, its placeholders filled, in the page's language.
  const { text } = await limitExceeded();
  for (const lang of ['nb', 'en']) {
    const p = await plannerMeeting(lang, (route) => route.fulfill({ status: 400, contentType: 'application/problem+json', body: text }));
    const said = await p.page.evaluate(async (kinds) => {
      const { problemText } = await import('/static/kit/problems.js');
      const out = {};
      for (const kind of kinds) {
        out[kind] = problemText({ status: 400, type: `/problems/${kind}`, kind, parameter: 'minutes', limit: 60, detail: 'the English detail' });
      }
      out['(no answer)'] = problemText(new TypeError('Failed to fetch'));
      out['(a 502 of a proxy)'] = problemText({ status: 502, type: '', kind: '', detail: 'HTTP 502' });
      return out;
    }, kinds);
    for (const kind of kinds) {
      const expected = fill(SHARED[lang].problems[kind.replaceAll('-', '_')], { parameter: 'minutes', limit: 60 });
      assert.equal(said[kind], expected, `${lang}: ${kind}`);
      assert.doesNotMatch(said[kind], /\{|English detail|problems\./, `${lang}: ${kind}`);
    }
    assert.equal(said['(no answer)'], SHARED[lang].problems.network);
    assert.equal(said['(a 502 of a proxy)'], fill(SHARED[lang].problems.server, { status: 502 }));
    await p.close();
  }
});

test('the planners\' page says the server\'s limit-exceeded problem in Bokmål and in English, never its English detail', async () => {
  const { text, body } = await limitExceeded();
  const shown = {};
  for (const lang of ['nb', 'en']) {
    const p = await plannerMeeting(lang, (route) => route.fulfill({ status: 400, contentType: 'application/problem+json', body: text }));
    const { page } = p;
    assert.equal(await page.getAttribute('html', 'lang'), lang);
    await page.waitForFunction(() => document.getElementById('status').textContent.trim() !== '');
    shown[lang] = words(await page.textContent('#status'));
    const reason = fill(SHARED[lang].problems.limit_exceeded, { parameter: body.parameter, limit: body.limit });
    assert.equal(shown[lang], words(fill(PLANNER[lang].results.failed, { reason })), `${lang}: the status line`);
    assert.equal(shown[lang].includes(words(body.detail)), false, `${lang}: the server's English detail is not shown`);
    assert.equal(words(await page.textContent('main')).includes(words(body.detail)), false, `${lang}: nowhere on the page`);
    assert.equal(await page.getAttribute('#status', 'role'), 'status', 'said in a live region');
    assert.deepEqual(await axeViolations(page), [], `axe with the problem shown (${lang})`);
    assert.deepEqual(p.foreign(), [], 'requests to another origin');
    assert.deepEqual(p.failures.filter((f) => !/\/api\/coverage\?.*HTTP 400$/.test(f)), [], 'failed requests but the 400');
    assert.deepEqual(p.errors.filter((e) => !/400/.test(e)), [], 'errors in the page but the 400');
    await p.close();
  }
  assert.notEqual(shown.nb, shown.en);
  assert.match(shown.nb, /høyst/);
  assert.match(shown.en, /at most/);
});

test('the planners\' page says a request that got no answer as such', async () => {
  const p = await plannerMeeting('nb', (route) => route.abort('connectionfailed'));
  const { page } = p;
  await page.waitForFunction(() => document.getElementById('status').textContent.trim() !== '');
  assert.equal(words(await page.textContent('#status')),
    words(fill(PLANNER.nb.results.failed, { reason: SHARED.nb.problems.network })));
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  await p.close();
});
