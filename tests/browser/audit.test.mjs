// Universal design beyond axe (issue 23): the kinds of fault an expert audit finds by hand,
// checked on the pages so that they cannot return. One server, one Chromium, a page per test.
//
//   reflow at 320 × 256 CSS px (WCAG 1.4.10) with the main task still possible; app layouts
//   whose document never grows beyond the viewport (after a search, End, PageDown, the wheel);
//   free text from the API marked lang="nb" in the English interface (3.1.2); every error and
//   result change said in a live region (4.1.3); focus kept on the equivalent element through a
//   re-render, tab order = visual order (2.4.3); forced colours keep states and marks apart;
//   and the smaller ones of the issue (names, aria-current, autocomplete, captions, 200 %).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { REPO, launchBrowser, openPage, settle, startServer } from './harness.mjs';

const POINT = 'point=10.759436,59.929261';
const ADDRESS = `address=${encodeURIComponent('Thorvald Meyers gate 10, 0555 Oslo')}`;
const strings = (path) => JSON.parse(readFileSync(join(REPO, 'web/i18n', path), 'utf8'));
const NB = strings('nb.json');
const EN = strings('en.json');
const PLANNER_NB = strings('planner/nb.json');
const DISTRICT_NB = strings('district/nb.json');
const PARTICIPATION_NB = strings('participation/nb.json');
/** The literal start of a string with placeholders («Kunne ikke hente tallene: {detail}» → «Kunne ikke hente tallene:»). */
const head = (s) => s.split('{')[0].trim();

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

// Records what every live region (aria-live, role=alert|status|log) holds each time it changes,
// shows or hides: window.__live. Installed before the page's own scripts.
function watchLiveRegions() {
  window.__live = [];
  const LIVE = '[aria-live]:not([aria-live="off"]), [role="alert"], [role="status"], [role="log"]';
  const record = (el) => {
    const region = el?.closest?.(LIVE);
    if (region && !region.hidden) {
      const text = region.textContent.replace(/\s+/g, ' ').trim();
      if (text) window.__live.push(text);
    }
  };
  new MutationObserver((mutations) => {
    for (const m of mutations) {
      record(m.target.nodeType === Node.TEXT_NODE ? m.target.parentElement : m.target);
      for (const n of m.addedNodes) if (n.nodeType === Node.ELEMENT_NODE) record(n);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['hidden'] });
}

// Nothing here looks at the map's tiles: the pages are ready when their app is (settle() waits
// for every tile too, which software GL makes slow).
async function open(path, { viewport = { width: 1280, height: 800 }, wait = 'app', ...options } = {}) {
  const p = await openPage(browser, origin, { viewport, ...options });
  await p.context.addInitScript(watchLiveRegions);
  await p.page.goto(`${origin}${path}`);
  if (wait === 'map') await settle(p.page);
  else await ready(p.page);
  return p;
}

/** Waits for `window.app.ready` (pages without a map), polled as harness.settle does. */
async function ready(page) {
  await page.waitForFunction(() => {
    const app = window.app;
    if (!app?.ready) return false;
    if (!app.readyWatched) {
      app.readyWatched = true;
      app.ready.then(() => { app.readyDone = true; });
    }
    return app.readyDone === true;
  });
}

const resultsShown = (page) => page.waitForFunction(() => window.app.reach && document.querySelector('.result[data-need-id]'));

/** Waits until a live region has said something that matches `re` (and says which it was). */
async function heard(page, re, what) {
  try {
    await page.waitForFunction((src) => window.__live.some((t) => new RegExp(src).test(t)), re.source, { timeout: 5000 });
  } catch {
    const said = await page.evaluate(() => window.__live.slice(-6));
    assert.fail(`${what}: no live region said ${re} (last said: ${JSON.stringify(said)})`);
  }
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Height of the document and of the viewport, and how far the window has scrolled. */
const extent = (page) => page.evaluate(() => ({
  scrollHeight: document.documentElement.scrollHeight, innerHeight, scrollY, headerTop: document.querySelector('main').getBoundingClientRect().top,
  scrollWidth: document.documentElement.scrollWidth, innerWidth,
}));

async function districtId() {
  const r = await fetch(`${origin}/api/collections/districts/items?level=bydel&limit=1`);
  assert.equal(r.status, 200);
  return (await r.json()).features[0].id;
}

test('reflow at 320 × 256: the embed\'s list and "Jeg kan hjelpe" stay usable, the map gives way; no page scrolls sideways', async () => {
  const p = await open(`/embed?${ADDRESS}&${POINT}`, { viewport: { width: 320, height: 256 } });
  const { page } = p;
  await resultsShown(page);
  const m = await page.evaluate(() => {
    const results = document.getElementById('results');
    return {
      scrollWidth: document.documentElement.scrollWidth,
      map: document.querySelector('.map-area').getBoundingClientRect().height,
      // The list is no box of its own that a 25 px strip could hold: it scrolls with the page.
      listBox: results.scrollHeight - results.clientHeight,
    };
  });
  assert.ok(m.scrollWidth <= 320, `the embed is ${m.scrollWidth} px wide`);
  assert.ok(m.map <= 256 * 0.6, `the map gives way: ${m.map} px of a 256 px window`);
  assert.ok(m.listBox <= 1, `the list is not squeezed into a scroll box (${m.listBox} px hidden in it)`);

  // "Jeg kan hjelpe" by keyboard: in view when focused, on top (not covered), and the form fits.
  const button = page.locator('.result[data-need-id] .help-button').first();
  await button.focus();
  const hit = await button.evaluate((b) => {
    const r = b.getBoundingClientRect();
    const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { top: r.top, bottom: r.bottom, right: r.right, onTop: b.contains(top) };
  });
  assert.ok(hit.top >= 0 && hit.bottom <= 256 && hit.right <= 320, `the focused button is in view: ${JSON.stringify(hit)}`);
  assert.ok(hit.onTop, 'nothing covers the focused button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#help-dialog[open]');
  const form = await page.evaluate(() => {
    const d = document.getElementById('help-dialog').getBoundingClientRect();
    const f = document.getElementById('help-name').getBoundingClientRect();
    return { dialogRight: d.right, fieldTop: f.top, fieldBottom: f.bottom, focused: document.activeElement.id };
  });
  assert.equal(form.focused, 'help-name');
  assert.ok(form.dialogRight <= 320 && form.fieldBottom <= 256 && form.fieldTop >= 0, `the form fits: ${JSON.stringify(form)}`);
  await page.keyboard.press('Escape');
  await p.close();

  // The other pages at 320 × 256: nothing wider than the window; the planner's caption and the
  // address suggestions fit.
  const id = await districtId();
  for (const path of [`/?${ADDRESS}&${POINT}`, '/planner?kind=school&minutes=10', `/omrade/${id}`, '/medvirkning']) {
    const q = await open(path, { viewport: { width: 320, height: 256 } });
    const e = await extent(q.page);
    assert.ok(e.scrollWidth <= 320, `${path} is ${e.scrollWidth} px wide at 320`);
    if (path.startsWith('/planner')) {
      await q.page.waitForFunction(() => document.getElementById('table-caption').textContent);
      const c = await q.page.$eval('#table-caption', (el) => ({ right: el.getBoundingClientRect().right, inScrollBox: !!el.closest('.table-wrap') }));
      assert.ok(c.right <= 320 && !c.inScrollBox, `the table's caption never scrolls sideways: ${JSON.stringify(c)}`);
    }
    if (path.startsWith('/?')) {
      await q.page.fill('#address', '');
      await q.page.focus('#address');
      await q.page.keyboard.type('gate');
      await q.page.waitForSelector('#address-options [role=option]', { state: 'visible' });
      const h = await q.page.$eval('#address-options', (l) => l.getBoundingClientRect().height);
      assert.ok(h <= 256 / 2 + 1, `the suggestions are ${h} px high in a 256 px window`);
    }
    await q.close();
  }
});

test('app layouts (/, /embed) never grow the document beyond the viewport; the planner has no blank tail', async () => {
  for (const [path, viewport] of [[`/?${ADDRESS}&${POINT}`, { width: 1280, height: 800 }], [`/embed?${ADDRESS}&${POINT}&list=side`, { width: 1024, height: 640 }]]) {
    const p = await open(path, { viewport });
    const { page } = p;
    await resultsShown(page);
    const check = async (after) => {
      const e = await extent(page);
      assert.ok(e.scrollHeight <= e.innerHeight, `${path} ${after}: the document is ${e.scrollHeight} px high in a ${e.innerHeight} px window`);
      assert.equal(e.scrollY, 0, `${path} ${after}: the window scrolled by ${e.scrollY} px`);
      assert.ok(e.headerTop >= 0, `${path} ${after}: the app moved off screen (${e.headerTop})`);
    };
    await check('after a search');
    // End and PageDown in the list (its last row focused), and on the page itself.
    await page.locator('.result .result-name').last().focus();
    await page.keyboard.press('End');
    await page.keyboard.press('PageDown');
    await check('after End in the list');
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('End');
    await page.keyboard.press('PageDown');
    await check('after End on the page');
    // The wheel over the top of the page (the header, or the embed's search).
    await page.mouse.move(viewport.width / 2, 10);
    await page.mouse.wheel(0, 4000);
    await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => requestAnimationFrame(ok))));
    await check('after the wheel over the header');
    await p.close();
  }
  const p = await open('/planner?kind=school&minutes=10', { viewport: { width: 1280, height: 900 } });
  await p.page.keyboard.press('End');
  const tail = await p.page.evaluate(() => document.documentElement.scrollHeight
    - (document.querySelector('.site-footer').getBoundingClientRect().bottom + scrollY));
  assert.ok(tail <= 1, `the planner's document runs ${tail} px past its footer`);
  await p.close();
});

test('English interface: free text from the API carries lang="nb"', async () => {
  const p = await open(`/?${ADDRESS}&${POINT}&lang=en`);
  const { page } = p;
  await resultsShown(page);
  // The help form names its need and organisation too.
  await page.locator('.result[data-need-id] .help-button').first().click();
  await page.waitForSelector('#help-dialog[open]');
  const bad = await page.evaluate(() => {
    const r = window.app.reach;
    const free = new Set();
    const add = (s) => { if (typeof s === 'string' && s.trim().length >= 5) free.add(s.trim()); };
    for (const f of r.facilities.features) [f.properties.name, f.properties.district, f.properties.address].forEach(add);
    for (const f of [...r.activities.features, ...r.volunteer_needs.features]) {
      const q = f.properties;
      [q.title, q.description, q.organisation?.name, q.facility?.name, q.price_note, q.time_commitment].forEach(add);
    }
    for (const f of window.app.proposals ?? []) [f.properties.title, f.properties.text].forEach(add);
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      // Live regions repeat what is on the page for a moment; the page itself is checked.
      if (el.closest('[aria-live], [role=status], [role=alert], script, style')) continue;
      const text = n.textContent;
      const hit = [...free].find((s) => text.includes(s));
      if (hit && el.closest('[lang]').getAttribute('lang') !== 'nb') out.push(`${el.localName}.${el.className}: ${text.trim().slice(0, 60)}`);
    }
    return { out, checked: free.size };
  });
  assert.ok(bad.checked > 10, `free text to look for: ${bad.checked}`);
  assert.deepEqual(bad.out, [], 'Norwegian free text without lang="nb" in the English interface');
  await p.close();
});

test('every error and result change reaches a live region (/, the help form, the embed code, /planner, /omrade, /medvirkning)', async () => {
  const p = await open(`/?${ADDRESS}&${POINT}`);
  const { page } = p;
  await resultsShown(page);
  // No address matches: said, and shown on screen too.
  await page.fill('#address', 'xqzv qxzv');
  await heard(page, new RegExp(escape(NB.search.no_suggestions)), 'no address matches');
  assert.equal(await page.locator('#address-message').count(), 1, 'a line under the field shows it');
  assert.equal((await page.textContent('#address-message')).trim(), NB.search.no_suggestions);
  assert.ok(await page.isVisible('#address-message'), '"no address matches" is visible');
  // A failed search for the walking times, then a result again.
  await page.route('**/api/reach?**', (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"status":500}' }));
  await page.click('#use-center');
  await heard(page, new RegExp(escape(NB.status.failed)), 'the walking times failed');
  await page.unroute('**/api/reach?**');
  await page.evaluate(() => { window.__live = []; });
  await page.click('#use-center');
  await heard(page, /steder innen 15 minutter/, 'a new result');
  await resultsShown(page);
  // A wrong age in the activity filters.
  await page.click('#filters > summary');
  await page.fill('#age', '300');
  await page.locator('#age').blur();
  await heard(page, new RegExp(escape(NB.filters.age_error)), 'a wrong age');
  await page.fill('#age', '');
  await page.click('#filters > summary');
  // The help form: the server fails; the summary says so, not "correct this before you send".
  await page.route('**/offers', (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"status":500}' }));
  await page.locator('.result[data-need-id] .help-button').first().click();
  await page.waitForSelector('#help-dialog[open]');
  await page.fill('#help-name', 'Kari Nordmann');
  await page.fill('#help-contact', 'kari@example.no');
  await page.click('#help-send');
  await heard(page, new RegExp(escape(NB.help.error_failed)), 'the offer could not be sent');
  const heading = await page.textContent('#help-errors .error-summary-heading, #help-errors h2, #help-errors p');
  assert.ok(!heading.includes(NB.help.errors_heading), `a server error is not headed "${NB.help.errors_heading}"`);
  assert.ok(heading.includes(NB.help.failed_heading), `headed "${NB.help.failed_heading}": ${heading}`);
  await page.click('#help-cancel');
  // The embed code's height, corrected: said.
  await page.click('#embed-open');
  await page.fill('#embed-height', '50');
  await heard(page, new RegExp(escape(head(NB.embed.height_fixed))), 'the corrected height');
  assert.match(await page.inputValue('#embed-code'), /height="300"/);
  await p.close();

  // The planner: a wrong number of minutes, then the new coverage.
  const q = await open('/planner?kind=school&minutes=10');
  await q.page.fill('#minutes', '0');
  await heard(q.page, new RegExp(escape(PLANNER_NB.question.minutes_invalid)), 'the planner\'s minutes error');
  await q.page.fill('#minutes', '12');
  await q.page.press('#minutes', 'Enter');
  await heard(q.page, new RegExp(escape(head(PLANNER_NB.results.announce))), 'the planner\'s new coverage');
  await q.close();

  // The district profile and the participation page when their API fails.
  const id = await districtId();
  const d = await openPage(browser, origin);
  await d.context.addInitScript(watchLiveRegions);
  await d.page.route('**/profile?**', (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"status":500,"detail":"boom"}' }));
  await d.page.goto(`${origin}/omrade/${id}`);
  await heard(d.page, new RegExp(escape(head(DISTRICT_NB.status.failed))), 'the district profile failed');
  await d.close();
  const m = await openPage(browser, origin);
  await m.context.addInitScript(watchLiveRegions);
  await m.page.route('**/api/collections/proposals/items**', (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"status":500,"detail":"boom"}' }));
  await m.page.goto(`${origin}/medvirkning?omrade=${encodeURIComponent(id)}`);
  await heard(m.page, new RegExp(escape(head(PARTICIPATION_NB.status.failed))), 'the proposals failed');
  await m.close();
});

/** The elements Tab reaches from `start` on, until `stop`, with where they are drawn. */
async function tabOrder(page, start, stop, max = 60) {
  await page.focus(start);
  const seen = [];
  for (let i = 0; i < max; i++) {
    if (i > 0) await page.keyboard.press('Tab');
    const el = await page.evaluate((sel) => {
      const a = document.activeElement;
      const r = a.getBoundingClientRect();
      return {
        what: a.id ? `#${a.id}` : `${a.localName}.${a.className}`, top: r.top + scrollY, left: r.left,
        inControls: !!a.closest('.controls'), legend: !!a.closest('#legend'), zoom: a.matches('.maplibregl-ctrl-zoom-in'),
        stop: a.matches(sel),
      };
    }, stop);
    seen.push(el);
    if (el.stop) break;
  }
  return seen;
}

test('focus: a language switch keeps it on the same element; the embed\'s tab order is its visual order; the legend before the zoom buttons', async () => {
  const p = await open(`/?${ADDRESS}&${POINT}`);
  const { page } = p;
  await resultsShown(page);
  await page.focus('#lang-list a[hreflang=en]');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.documentElement.lang === 'en' && window.app.state.lang === 'en');
  assert.deepEqual(await page.evaluate(() => [document.activeElement.localName, document.activeElement.getAttribute('hreflang')]), ['a', 'en'],
    'focus stays on the language link it was on');
  // A row's button, while the list is drawn again in the other language.
  const id = await page.$eval('.result[data-need-id]', (li) => li.dataset.needId);
  await page.focus(`.result[data-need-id="${id}"] .help-button`);
  await page.evaluate(() => document.querySelector('#lang-list a[hreflang=nb]').click());
  await page.waitForFunction(() => document.documentElement.lang === 'nb' && window.app.state.lang === 'nb');
  assert.deepEqual(await page.evaluate(() => [document.activeElement.className, document.activeElement.closest('[data-need-id]')?.dataset.needId]),
    ['primary help-button', id], 'focus stays on the same row\'s button');
  const site = await tabOrder(page, '#address', '.maplibregl-ctrl-zoom-in');
  assert.ok(site.findIndex((e) => e.legend) >= 0 && site.findIndex((e) => e.legend) < site.findIndex((e) => e.zoom),
    `the legend comes before the zoom buttons: ${site.map((e) => e.what).join(' ')}`);
  await p.close();

  const e = await open(`/embed?${ADDRESS}&${POINT}&list=side`, { viewport: { width: 1024, height: 640 } });
  await resultsShown(e.page);
  const order = await tabOrder(e.page, '#address', '.maplibregl-ctrl-zoom-in');
  const controls = order.filter((x) => x.inControls);
  assert.ok(controls.length >= 3, `controls reached: ${controls.map((x) => x.what)}`);
  for (let i = 1; i < controls.length; i++) {
    const [a, b] = [controls[i - 1], controls[i]];
    const next = b.top > a.top + 8 || (Math.abs(b.top - a.top) <= 8 && b.left >= a.left);
    assert.ok(next, `tab order follows the visual order: ${a.what} (${Math.round(a.left)}, ${Math.round(a.top)}) then ${b.what} (${Math.round(b.left)}, ${Math.round(b.top)})`);
  }
  const legend = order.findIndex((x) => x.legend);
  assert.ok(legend >= 0 && legend < order.findIndex((x) => x.zoom), 'the embed\'s legend before its zoom buttons');
  await e.close();
});

/** What tells a control's state apart without colour: glyphs, lines, where its parts are. */
const shapeOf = (page, selector) => page.$eval(selector, (el) => {
  const s = (e, pseudo) => {
    const c = getComputedStyle(e, pseudo);
    return [c.content, c.outlineStyle, c.outlineWidth, c.borderTopStyle, c.borderTopWidth, c.left, c.transform].join(' ');
  };
  return [el, ...el.querySelectorAll('*')].flatMap((e) => [s(e), s(e, '::before'), s(e, '::after')]).join(' | ');
});

test('forced colours: toggles differ on and off, the legend keeps its marks, the selected row its highlight', async () => {
  const p = await open(`/?${ADDRESS}&${POINT}`, { forcedColors: 'active' });
  const { page } = p;
  await resultsShown(page);
  assert.ok(await page.evaluate(() => matchMedia('(forced-colors: active)').matches));
  const off = await shapeOf(page, '#contrast');
  await page.click('#contrast');
  await page.waitForFunction(() => document.getElementById('contrast').getAttribute('aria-pressed') === 'true');
  assert.notEqual(await shapeOf(page, '#contrast'), off, 'the contrast toggle differs on and off without colour');
  // The new style draws the legend again once it has loaded.
  await page.waitForFunction(() => window.map.getStyle()?.metadata?.['naermiljo:theme'] === 'high-contrast');
  await page.evaluate(() => window.app.idle());
  // The legend: every mark keeps its own colours (forced-color-adjust: none), and no two look alike.
  const marks = await page.$$eval('#legend li', (lis) => lis.map((li) => {
    const m = li.querySelector('[aria-hidden="true"], svg');
    const c = getComputedStyle(m);
    return { text: li.textContent.trim(), adjust: c.forcedColorAdjust, look: [m.className.baseVal ?? m.className, c.backgroundColor, c.borderTopStyle, c.borderTopColor, m.innerHTML].join(' ') };
  }));
  assert.ok(marks.length >= 5, `legend entries: ${marks.length}`);
  for (const m of marks) assert.equal(m.adjust, 'none', `${m.text}: its mark keeps its colours`);
  assert.equal(new Set(marks.map((m) => m.look)).size, marks.length, 'no two legend marks look alike');
  // The selected row.
  await page.locator('.result[data-id] .result-name').first().click();
  const rows = await page.$$eval('.result[data-id]', (lis) => lis.slice(0, 3).map((li) => [li.getAttribute('aria-current'), getComputedStyle(li).outlineStyle]));
  assert.deepEqual(rows[0], ['true', 'solid'], 'the selected row: aria-current and an outline');
  assert.equal(rows[1][1], 'none', 'other rows have no outline');
  await p.close();

  const q = await open('/planner?kind=school&minutes=10', { forcedColors: 'active' });
  for (const id of ['#scenario-toggle', '#contrast']) {
    const before = await shapeOf(q.page, id);
    await q.page.click(id);
    await q.page.waitForFunction((sel) => document.querySelector(sel).getAttribute('aria-pressed') === 'true', id);
    assert.notEqual(await shapeOf(q.page, id), before, `${id} differs on and off without colour`);
  }
  const knob = await q.page.$eval('#contrast .toggle-mark', (m) => [getComputedStyle(m).backgroundColor, getComputedStyle(m, '::after').backgroundColor]);
  assert.notEqual(knob[0], knob[1], 'the switch\'s knob is drawn against its track');
  await q.close();
});

test('the smaller ones: names without "✓", one name per fold-out, the help dialog described, autocomplete, the chart hint, one column at 200 %', async () => {
  const p = await open(`/?${ADDRESS}&${POINT}`);
  const { page } = p;
  await resultsShown(page);
  await page.click('#contrast');
  await page.waitForSelector('#contrast[aria-pressed="true"]');
  assert.equal(await page.getByRole('button', { name: NB.tools.contrast, exact: true, pressed: true }).count(), 1, 'the pressed toggle is named without its check mark');
  // Every "Mer om aktiviteten" says which activity it opens (its row's title is in its name).
  const summaries = await page.$$eval('.result[data-activity-id] summary', (s) => s.map((x) => [
    x.textContent.replace(/\s+/g, ' ').trim(), x.closest('.result').querySelector('.result-name, .result-title').textContent.trim(),
  ]));
  assert.ok(summaries.length > 1);
  for (const [name, title] of summaries) assert.ok(name.includes(title) && name !== title, `"${name}" names its activity "${title}"`);
  const need = page.locator('.result[data-need-id]').first();
  const title = await need.locator('.result-name, .result-title').textContent();
  await need.locator('.help-button').click();
  await page.waitForSelector('#help-dialog[open]');
  const described = await page.$eval('#help-dialog', (d) => document.getElementById(d.getAttribute('aria-describedby'))?.textContent ?? '');
  assert.ok(described.includes(title), `the help dialog is described by its need: ${described}`);
  // Autocomplete: only tokens of the HTML standard, and none that claims an e-mail for "e-mail or phone".
  const tokens = await page.$$eval('[autocomplete]', (els) => els.map((e) => [e.id, e.getAttribute('autocomplete')]));
  const VALID = /^(on|off|name|email|username|current-password|new-password|organization|street-address|postal-code|tel|url)$/;
  for (const [id, v] of tokens) assert.match(v, VALID, `#${id} autocomplete="${v}"`);
  assert.equal(await page.getAttribute('#help-contact', 'autocomplete'), null, 'the contact field (e-mail or phone) claims no single purpose');
  await p.close();

  // The planner's chart hint in scenario mode names where the bars are, not only their colours.
  assert.match(PLANNER_NB.chart.hint_scenario, /Øverste/);
  assert.match(strings('planner/en.json').chart.hint_scenario, /Upper/);
  assert.ok(EN.help.failed_heading && NB.help.failed_heading);

  // 200 % zoom on a 1920 × 1080 screen (960 × 540 CSS px): one column, for the residents and the planner.
  for (const [path, parts] of [['/', ['.controls', '.map-area', '.results']], ['/planner?kind=school&minutes=10&hex=1', ['.controls', '.map-area']]]) {
    const q = await open(path, { viewport: { width: 960, height: 540 } });
    const lefts = await q.page.evaluate((sel) => sel.map((s) => Math.round(document.querySelector(s).getBoundingClientRect().left)), parts);
    assert.equal(new Set(lefts).size, 1, `${path} at 960 × 540 is one column: ${lefts}`);
    if (path.includes('hex=1')) {
      // The coverage hexagons in words, beside the legend.
      const text = await q.page.textContent('#legend-hex-text');
      assert.ok(await q.page.isVisible('#legend-hex-text'), 'the hexagons\' text is shown with them');
      assert.match(text, new RegExp(`${escape(head(PLANNER_NB.legend.hex_text.other))}.*\\d`), text);
    }
    await q.close();
  }
});
