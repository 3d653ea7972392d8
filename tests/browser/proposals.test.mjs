// Residents' proposals (medvirkning, issue 15, docs/PARTICIPATION.md) in a real browser, as a
// pupil, a resident and a nærutvalg member use them: a staff admin (made with the CLI) makes a
// batch of participation codes through the API; a pupil searches an address by keyboard, is
// told to choose a place first, opens "Foreslå noe here", gets the form's errors, proposes a
// ballbinge with a code and sees the thanks; the moderator publishes it (API); it shows in the
// list and on the map with its kommunedel and homes within 10 minutes (as the API says); a
// second code supports it (the count as the API says), the same code again and an unknown code
// are refused in our words only (the server's English detail is not shown); the map draws
// proposals as a black diamond, a colour no facility kind has; the embed shows no proposals
// until proposals=1; /medvirkning lists the districts, the bydel's proposals with their
// supports, filters by status in the URL (and says how many of the bydel's proposals match),
// prints without the filters, and its CSV link downloads the rows; of two answers given the
// same day, the later is the one shown. axe on
// every page in nb and en, at 320 px, in high contrast; Norwegian text marked lang="nb" in
// English; nothing leaves the server. Counts compared are read from the API.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/proposals.test.mjs
//
// Screenshots go to target/screenshots/proposals-*.png.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { axeViolations, launchBrowser, openPage, screenshotPath, settle, startServer } from './harness.mjs';

const ADDRESS_TYPED = 'thorvald meyers gate 10';
const TITLE = 'Ballbinge ved Schous plass';
const TEXT = 'Vi som går i 7B vil ha en ballbinge her, så vi kan spille fotball etter skolen.';
const OTHER_TITLE = 'Lys på stien gjennom parken';

let server;
let browser;
let origin;
let cookie = '';
let csrf = '';
let codes = [];
let mine = null; // the pupil's proposal id (made in the browser)
let other = null; // a second proposal, made and answered through the API

before(async () => {
  server = await startServer();
  origin = server.url;
  browser = await launchBrowser();

  // The first staff admin from the CLI: it prints the sign-in link; following it gives a session.
  const { stdout } = await promisify(execFile)(server.bin,
    ['--data', server.data, 'admin', 'create', '--email', 'ada@kommune.example.no', '--name', 'Ada Admin']);
  const link = /\/auth\/link\/[0-9a-f]{64}/.exec(stdout)?.[0];
  assert.ok(link, `a sign-in link in:\n${stdout}`);
  const r = await fetch(`${origin}${link}`, { method: 'POST', redirect: 'manual' });
  assert.equal(r.status, 303, 'the sign-in link signs in');
  cookie = r.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  const me = await staff('GET', '/api/me');
  assert.equal(me.body.staff_role, 'admin');
  csrf = me.body.csrf;

  // A class's codes: one proposal and one support each.
  const batch = await staff('POST', '/api/participation/batches',
    { label: '7B Test skole', count: 6, proposals: 1, supports: 1, expires: inDays(60) });
  assert.equal(batch.status, 201, JSON.stringify(batch.body));
  codes = batch.body.codes;
  assert.equal(codes.length, 6);

  // A second proposal near the first, published and answered "planned" through the API.
  const made = await json('POST', '/api/proposals', {
    category: 'paths_lighting', title: OTHER_TITLE, text: 'Stien er helt mørk om kvelden, og mange går der til skolen.',
    lon: 10.7595, lat: 59.9293, lang: 'nb', code: codes[5],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  other = made.body.id;
  await publish(other);
  const answered = await moderate(other, { action: 'answer', status: 'planned', answer: 'Bymiljøetaten setter opp lys i vår.' });
  assert.equal(answered.body.status, 'planned');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

function inDays(n) {
  return new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
}

async function json(method, path, body, headers = {}) {
  const r = await fetch(`${origin}${path}`, {
    method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: r.status, body: await r.json().catch(() => null) };
}

/** A request with the staff admin's session. */
const staff = (method, path, body) => json(method, path, body, { Cookie: cookie, ...(method === 'GET' ? {} : { 'X-CSRF-Token': csrf }) });

async function moderation(id) {
  const r = await staff('GET', '/api/moderation/proposals?state=all');
  assert.equal(r.status, 200);
  return r.body.proposals.find((p) => p.id === id);
}

async function moderate(id, action) {
  const { version } = await moderation(id);
  const r = await staff('POST', `/api/moderation/proposals/${id}`, { ...action, version });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r;
}

/** A 1×1 PNG. */
const PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const publish = (id) => moderate(id, { action: 'publish' });

/** The public feature of a proposal. */
async function publicProposal(id) {
  const r = await fetch(`${origin}/api/collections/proposals/items/${id}`);
  assert.equal(r.status, 200);
  return r.json();
}

// The support form's refusals (403, 409) are answers the page expects; the browser logs them.
const EXPECTED = [/\/supports: HTTP 40[39]/, /status of 40[39]/];

function assertClean(p, { allowed = [] } = {}) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures.filter((f) => !allowed.some((re) => re.test(f))), [], 'failed requests');
  assert.deepEqual(p.errors.filter((f) => !allowed.some((re) => re.test(f))), [], 'errors in the page');
}

/** The residents' page has started, its map has drawn, and the view's proposals came. */
async function residentsSettled(page) {
  await settle(page);
  await page.waitForFunction(() => !window.app.proposalsBusy);
}

async function openResidents(path, options = {}) {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 800 }, ...options });
  await p.page.goto(`${origin}${path}`);
  await residentsSettled(p.page);
  return p;
}

/** The nærutvalg's page has started and no request is pending (it has no map). */
async function participationSettled(page) {
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

async function openParticipation(path, options = {}) {
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 }, ...options });
  await p.page.goto(`${origin}${path}`);
  await participationSettled(p.page);
  return p;
}

/** Presses Tab (Shift+Tab with `back`) until the element with this id has focus. */
async function tabTo(page, id, { back = false, max = 60 } = {}) {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate(() => document.activeElement?.id) === id) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  assert.fail(`Tab never reached #${id}`);
}

/** Types an address and picks the first suggestion with the keyboard only. */
async function pickAddress(page) {
  await page.keyboard.type(ADDRESS_TYPED);
  await page.waitForSelector('#address-options [role=option]', { state: 'visible' });
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.reach && document.querySelectorAll('.result').length > 0);
  await residentsSettled(page);
}

/** Arrow keys in a closed select until it has `value`. */
async function chooseOption(page, id, value) {
  await page.focus(`#${id}`);
  for (let i = 0; i < 30 && (await page.inputValue(`#${id}`)) !== value; i++) await page.keyboard.press('ArrowDown');
  assert.equal(await page.inputValue(`#${id}`), value);
}

/** Our words for a code the server refused (a 403), in both forms. */
const CODE_REFUSED = 'Deltakerkoden ble ikke godtatt. Sjekk at du har skrevet den riktig (for eksempel K7QX-M2PA-9D), at den ikke er brukt opp, og at den ikke har gått ut på dato.';

/**
 * The proposals' marker on the map: a symbol layer with its own image (the diamond), whose
 * colour (the legend's mark, `fill`) is none of the facility kinds' colours in the style.
 */
async function assertMarker(page, fill) {
  const look = await page.evaluate(() => {
    const { map } = window.app;
    const style = map.getStyle();
    const layer = style.layers.find((l) => l.id === 'proposal');
    const paint = style.layers.find((l) => l.id === 'facilities')?.paint;
    const facilities = paint?.['icon-color'] ?? paint?.['circle-color'];
    const mark = document.querySelector('#legend .legend-proposal');
    return {
      type: layer?.type, image: layer?.layout?.['icon-image'], hasImage: map.hasImage(layer?.layout?.['icon-image'] ?? ''),
      // ['match', ['get', 'kind'], kind, colour, …, fallback]: each kind's colour.
      kindColours: Array.isArray(facilities) && facilities[0] === 'match'
        ? facilities.slice(2, -1).filter((x, i) => i % 2 === 1) : [],
      markColour: mark && getComputedStyle(mark).backgroundColor,
      markTransform: mark && getComputedStyle(mark).transform,
    };
  });
  assert.equal(look.type, 'symbol', 'proposals are drawn as a shape of their own, not a dot');
  assert.ok(look.hasImage, `the marker's image ${look.image} is on the map`);
  const rgb = (hex) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`;
  assert.equal(look.markColour, rgb(fill), 'the legend shows the marker\'s colour');
  assert.equal(look.kindColours.length, 13, `the facility kinds' colours: ${look.kindColours}`);
  for (const c of look.kindColours) assert.notEqual(rgb(c.toLowerCase()), look.markColour, `not the colour of a facility kind (${c})`);
  assert.notEqual(look.markTransform, 'none', 'the legend\'s mark is a diamond (a turned square)');
}

/** Text as a reader sees it, with every kind of space as one plain space. */
const words = (s) => (s ?? '').replace(/[\s\u00a0\u202f]+/g, ' ').trim();
const nbNumber = (n) => words(n.toLocaleString('nb-NO'));

/** The ids of the proposals the map has drawn, once they are all of `expected` (or after 10 s). */
async function drawn(page, expected = null) {
  const ids = () => (window.app.map.getLayer('proposal')
    ? window.app.map.queryRenderedFeatures({ layers: ['proposal'] }).map((f) => f.id).sort((a, b) => a - b) : []);
  if (expected) {
    // Symbols are placed a few frames after their data: wait for them, not for a clock.
    await page.waitForFunction(`(${ids})().join() === ${JSON.stringify([...expected].sort((a, b) => a - b).join())}`, null, { timeout: 10_000 })
      .catch(() => {});
  }
  return page.evaluate(ids);
}

async function noSideScroll(page, what) {
  const [scroll, width] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
  assert.ok(scroll <= width, `${what}: no horizontal scrolling (${scroll} > ${width})`);
}

test('a pupil proposes a ballbinge by keyboard with a code; it waits for moderation', async () => {
  const p = await openResidents('/');
  const { page } = p;

  // Before a place is chosen, the button says to choose one first (keyboard: the address search).
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.getAttribute('href')), '#address');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'address');
  await tabTo(page, 'propose-open');
  await page.keyboard.press('Enter');
  assert.match(await page.textContent('#propose-note'), /Velg et sted først: søk etter en adresse/);
  assert.equal(await page.evaluate(() => document.getElementById('proposal-dialog')?.open ?? false), false);

  // Choose the place by the address search: the warning goes, then open the form.
  await tabTo(page, 'address', { back: true });
  await pickAddress(page);
  assert.match(await page.textContent('#propose-place'), /Thorvald Meyers gate 10/);
  assert.equal(words(await page.textContent('#propose-note')), '', 'the warning to choose a place first is gone');
  assert.equal(await page.isVisible('#propose-note'), false);
  await tabTo(page, 'propose-open');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#proposal-dialog[open]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'proposal-category');
  assert.match(await page.textContent('#proposal-place'), /Thorvald Meyers gate 10/);
  assert.deepEqual(await axeViolations(page), [], 'axe: the proposal form');

  // Sending nothing: the error summary and every field that must be filled.
  await tabTo(page, 'proposal-submit');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#proposal-errors:not([hidden])');
  for (const id of ['proposal-category', 'proposal-title', 'proposal-text', 'proposal-code']) {
    assert.equal(await page.getAttribute(`#${id}`, 'aria-invalid'), 'true', `${id} is marked`);
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'proposal-category', 'focus on the first field to fix');
  assert.deepEqual(await axeViolations(page), [], 'axe: the form with errors');
  await page.screenshot({ path: screenshotPath('proposals-form-errors.png') });

  // An unknown code: a 403 in our words (what to check), without the server's English detail;
  // nothing is stored.
  await chooseOption(page, 'proposal-category', 'pitch');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'proposal-title');
  await page.keyboard.type(TITLE);
  assert.match(words(await page.textContent('#proposal-title-hint')), new RegExp(`${[...TITLE].length} av 3–120 tegn`));
  await page.keyboard.press('Tab');
  await page.keyboard.type(TEXT);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'proposal-photo', 'the optional photo comes next');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'proposal-code');
  await page.keyboard.type('FEIL-KODE-00');
  const refused = await json('POST', '/api/proposals', {
    category: 'pitch', title: TITLE, text: TEXT, lon: 10.759436, lat: 59.929261, lang: 'nb', code: 'FEIL-KODE-00',
  });
  assert.equal(refused.status, 403);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => !document.getElementById('proposal-errors').hidden
    && document.getElementById('proposal-errors').textContent.includes('Deltakerkoden'));
  const refusedText = words(await page.textContent('#proposal-errors'));
  assert.ok(refusedText.includes(CODE_REFUSED), `our words for a 403 in «${refusedText}»`);
  assert.ok(refused.body.detail, 'the server gives a detail');
  assert.equal(refusedText.includes(words(refused.body.detail)), false, 'the server\'s English detail is not shown');
  assert.equal(await page.locator('#proposal-errors .problem-detail').count(), 0);
  assert.equal(await page.getAttribute('#proposal-code', 'aria-invalid'), 'true');

  // The right code: thanks, the proposal waits for moderation.
  await page.fill('#proposal-code', '');
  await page.focus('#proposal-code');
  await page.keyboard.type(codes[0]);
  // A photo (a 1×1 PNG): the server writes it anew as a JPEG.
  await page.setInputFiles('#proposal-photo', { name: 'ballbinge.png', mimeType: 'image/png', buffer: Buffer.from(PIXEL_PNG, 'base64') });
  await page.focus('#proposal-code');
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/proposals') && r.request().method() === 'POST');
  await page.keyboard.press('Enter');
  const created = await answer;
  assert.equal(created.status(), 201);
  mine = (await created.json()).id;
  await page.waitForSelector('#proposal-result', { state: 'visible' });
  // A code and no email: where to read the answer later.
  assert.equal(words(await page.textContent('#proposal-result')),
    'Takk! Forslaget ditt venter på godkjenning. Du kan se svaret senere under «Se svar på forslagene dine» med den samme koden.');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'proposal-done');
  assert.deepEqual(await axeViolations(page), [], 'axe: the thanks');
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'propose-open', 'focus back on the button');

  const held = await moderation(mine);
  assert.equal(held.state, 'pending');
  assert.equal(held.via, 'code');
  assert.equal(held.title, TITLE);
  // Not public before it is published.
  assert.equal((await fetch(`${origin}/api/collections/proposals/items/${mine}`)).status, 404);
  assertClean(p, { allowed: [/\/api\/proposals: HTTP 403/, /status of 403/] });
  await p.close();
});

test('published, it shows in the list and on the map; a second code supports it, a used or unknown code is refused', async () => {
  assert.ok(mine, 'the proposal of the first test');
  await publish(mine);
  const feature = await publicProposal(mine);
  const props = feature.properties;
  assert.equal(props.title, TITLE);
  assert.ok(props.kommunedel?.name, 'the API names its kommunedel');

  assert.match(props.photo, new RegExp(`/api/collections/proposals/items/${mine}/photo$`));
  const p = await openResidents(`/?address=${encodeURIComponent('Thorvald Meyers gate 10, 0555 Oslo')}&point=10.759436,59.929261`);
  const { page } = p;
  const row = page.locator(`#proposal-list [data-proposal-id="${mine}"]`);
  await row.waitFor();
  // Its photo in the fold-out: the JPEG the server wrote, with a text alternative.
  await row.locator('summary').click();
  const photo = row.locator('img.proposal-photo');
  assert.equal(await photo.evaluate(async (img) => { await img.decode(); return img.naturalWidth; }), 1);
  assert.match(await photo.getAttribute('alt'), /Bildet som fulgte forslaget/);
  await row.locator('summary').click();
  const meta = words(await row.locator('.result-meta').textContent());
  assert.ok(meta.includes(props.kommunedel.name), `kommunedel in «${meta}»`);
  assert.ok(meta.includes(`${nbNumber(props.catchment.homes)} boliger innen 10 min`), `homes in «${meta}»`);
  assert.ok(meta.includes(`${props.supports} støtte`), `supports in «${meta}»`);
  assert.match(words(await row.locator('.result-kind').textContent()), /Ballbinge \/ ballbane · Mottatt/i);
  // The list is the map's text alternative: every proposal drawn is a row.
  const rows = await page.$$eval('#proposal-list [data-proposal-id]', (lis) => lis.map((li) => Number(li.dataset.proposalId)).sort((a, b) => a - b));
  assert.deepEqual(await drawn(page, rows), rows);
  assert.ok(rows.includes(mine) && rows.includes(other));
  assert.match(await page.textContent('#legend'), /Forslag fra innbyggere/);
  await assertMarker(page, '#111111');

  // The other proposal's fold-out: its text and the municipality's answer.
  const otherRow = page.locator(`#proposal-list [data-proposal-id="${other}"]`);
  await otherRow.locator('summary').focus();
  await page.keyboard.press('Enter');
  assert.match(await otherRow.textContent(), /Bymiljøetaten setter opp lys i vår/);
  assert.match(await otherRow.textContent(), /Planlagt/);

  // Support with a second code, by keyboard.
  await row.locator('summary').focus();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'support-button', 'Tab from the fold-out\'s summary');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#support-dialog[open]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'support-code');
  assert.deepEqual(await axeViolations(page), [], 'axe: the support form');
  await page.keyboard.type(codes[1]);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#support-done', { state: 'visible' });
  const after = (await publicProposal(mine)).properties.supports;
  assert.equal(after, props.supports + 1);
  assert.match(words(await page.textContent('#support-result')), new RegExp(`Forslaget har nå ${after} støtte`));
  await page.keyboard.press('Escape');
  // The dialog's close event (which gives focus back) comes in a task of its own after the key.
  await page.waitForFunction(() => !document.getElementById('support-dialog').open
    && document.activeElement?.className === 'support-button', null, { timeout: 5000 }).catch(() => {});
  assert.equal(await page.evaluate(() => document.activeElement?.className), 'support-button', 'focus back on the row\'s button');
  assert.ok(words(await row.locator('.result-meta').textContent()).includes(`${after} støtte`), 'the list shows the new count');

  // The same code again: 409, in our words only.
  await page.keyboard.press('Enter');
  await page.waitForSelector('#support-dialog[open]');
  await page.keyboard.type(codes[1]);
  await page.keyboard.press('Enter');
  await page.waitForSelector('#support-errors:not([hidden])');
  const again = await json('POST', `/api/proposals/${mine}/supports`, { code: codes[1] });
  assert.equal(again.status, 409);
  assert.ok(again.body.detail, 'the server gives a detail');
  assert.equal(words(await page.textContent('#support-result')).includes(words(again.body.detail)), false, 'the 409 detail is not shown');
  assert.deepEqual((await page.locator('#support-errors li').allTextContents()).map(words), ['Du støtter allerede dette forslaget.'],
    'our words only');
  await page.screenshot({ path: screenshotPath('proposals-support-refused.png') });

  // The used code on the other proposal (one support per code): 403, in our words (what to check).
  await page.keyboard.press('Escape');
  await otherRow.locator('.support-button').focus();
  await page.keyboard.press('Enter');
  await page.waitForSelector('#support-dialog[open]');
  await page.keyboard.type(codes[1]);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Deltakerkoden ble ikke godtatt/.test(document.getElementById('support-errors').textContent));
  const used = await json('POST', `/api/proposals/${other}/supports`, { code: codes[1] });
  assert.equal(used.status, 403);
  assert.ok(words(await page.textContent('#support-errors')).includes(CODE_REFUSED), 'what to check');
  assert.ok(used.body.detail, 'the server gives a detail');
  assert.equal(words(await page.textContent('#support-result')).includes(words(used.body.detail)), false, 'the 403 detail is not shown');
  assert.equal((await publicProposal(mine)).properties.supports, after, 'nothing counted twice');
  await page.keyboard.press('Escape');

  // A click on its point on the map selects its row (close up: the other one is a few metres away).
  await page.evaluate((c) => window.app.map.jumpTo({ center: c, zoom: 19 }), feature.geometry.coordinates);
  await residentsSettled(page);
  const point = await page.evaluate((id) => {
    const f = window.app.map.queryRenderedFeatures({ layers: ['proposal'] }).find((x) => x.id === id);
    return window.app.map.project(f.geometry.coordinates);
  }, mine);
  const box = await page.$eval('#map', (m) => { const r = m.getBoundingClientRect(); return { left: r.left, top: r.top }; });
  await page.mouse.click(box.left + point.x, box.top + point.y);
  await page.waitForFunction((id) => document.activeElement?.closest('[data-proposal-id]')?.dataset.proposalId === String(id), mine);
  assert.equal(await row.evaluate((li) => li.classList.contains('selected')), true);
  await page.screenshot({ path: screenshotPath('proposals-map.png') });
  assertClean(p, { allowed: EXPECTED });
  await p.close();
});

test('the embed shows no proposals until proposals=1; the switch on / hides them', async () => {
  const plain = await openResidents('/embed?center=10.7594,59.9293&zoom=15');
  assert.equal(await plain.page.isHidden('#proposals'), true);
  assert.equal(await plain.page.isHidden('#propose-tools'), true);
  assert.deepEqual(await drawn(plain.page, []), []);
  assert.deepEqual(plain.requests.filter((u) => u.includes('/collections/proposals')), [], 'not even asked for');
  assertClean(plain);
  await plain.close();

  const on = await openResidents('/embed?center=10.7594,59.9293&zoom=15&proposals=1');
  const rows = await on.page.$$eval('#proposal-list [data-proposal-id]', (lis) => lis.map((li) => Number(li.dataset.proposalId)));
  assert.ok(rows.includes(mine), 'the proposal is listed in the embed');
  assert.ok((await drawn(on.page, rows)).includes(mine), 'and drawn');
  assert.equal(await on.page.isChecked('#layer-proposals'), true);
  assertClean(on);
  await on.close();

  // On / the layer is on; its checkbox hides it and writes proposals=0.
  const site = await openResidents('/?center=10.7594,59.9293&zoom=15');
  const listed = await site.page.$$eval('#proposal-list [data-proposal-id]', (lis) => lis.map((li) => Number(li.dataset.proposalId)));
  assert.ok(listed.includes(mine), 'listed on /');
  assert.ok((await drawn(site.page, listed)).includes(mine), 'and drawn');
  await site.page.click('#filters > summary');
  await site.page.focus('#layer-proposals');
  await site.page.keyboard.press('Space');
  await site.page.waitForFunction(() => document.getElementById('proposals').hidden);
  await site.page.evaluate(() => window.app.idle());
  assert.deepEqual(await drawn(site.page, []), []);
  assert.match(await site.page.evaluate(() => location.search), /proposals=0/);
  assertClean(site);
  await site.close();
});

test('/medvirkning: the districts, a bydel\'s proposals by support, a filter in the URL, print, and the CSV', async () => {
  const feature = await publicProposal(mine);
  const bydel = feature.properties.kommunedel;

  // Without ?omrade: the districts to choose from, with how many proposals each has.
  const all = await openParticipation('/medvirkning');
  const link = all.page.locator(`#district-list a[data-id="${bydel.id}"]`);
  assert.equal(words(await link.textContent()), bydel.name);
  const published = await (await fetch(`${origin}/api/collections/proposals/items?district=${bydel.id}&limit=100`)).json();
  assert.match(words(await link.locator('xpath=..').textContent()), new RegExp(`${published.numberMatched} forslag`));
  await link.focus();
  await all.page.keyboard.press('Enter');
  await all.page.waitForURL(/omrade=/);
  await participationSettled(all.page);
  assertClean(all);
  await all.close();

  const p = await openParticipation(`/medvirkning?omrade=${encodeURIComponent(bydel.id)}`);
  const { page } = p;
  assert.equal(words(await page.textContent('h1')), `Forslag fra innbyggerne i ${bydel.name}`);
  const rows = await page.$$eval('#proposal-table tbody tr', (trs) => trs.map((tr) => ({
    id: Number(tr.dataset.proposalId),
    supports: Number(tr.querySelector('[data-key="supports"]').dataset.value),
    homes: tr.querySelector('[data-key="homes"]').dataset.value,
  })));
  const expected = published.features.map((f) => ({ id: f.properties.id, supports: f.properties.supports, homes: String(f.properties.catchment?.homes ?? '') }))
    .sort((a, b) => b.supports - a.supports);
  assert.deepEqual(rows.map((r) => r.supports), expected.map((r) => r.supports), 'most supported first');
  assert.deepEqual(new Set(rows.map((r) => r.id)), new Set(expected.map((r) => r.id)));
  for (const r of rows) assert.equal(r.homes, expected.find((x) => x.id === r.id).homes, `homes of ${r.id}`);
  const ours = page.locator(`#proposal-table tr[data-proposal-id="${mine}"]`);
  assert.equal(words(await ours.locator('[data-key="supports"]').textContent()), String(feature.properties.supports));
  assert.match(await page.textContent(`#proposal-table tr[data-proposal-id="${other}"] [data-key="answer"]`), /Planlagt.*Bymiljøetaten/);
  assert.deepEqual(await axeViolations(page), [], 'axe: the list');
  await page.screenshot({ path: screenshotPath('proposals-medvirkning.png'), fullPage: true });

  // The CSV link: the same query, with f=csv; its rows are the list's.
  const href = await page.getAttribute('#csv-link', 'href');
  assert.match(href, /f=csv/);
  assert.match(href, new RegExp(`district=${bydel.id}`));
  const csv = await fetch(new URL(href, origin));
  assert.equal(csv.status, 200);
  assert.match(csv.headers.get('content-type'), /text\/csv/);
  const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  assert.equal(lines.length, published.numberMatched + 1, 'a header and a row per proposal');
  assert.ok(lines.some((l) => l.includes(TITLE)));
  const download = page.waitForEvent('download');
  await page.focus('#csv-link');
  await page.keyboard.press('Enter');
  assert.match((await download).suggestedFilename(), /\.csv$/);

  // Filter by status with the keyboard: the URL says it, the table follows.
  await chooseOption(page, 'f-status', 'planned');
  await page.focus('#filters-apply');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.search.includes('status=planned'));
  await participationSettled(page);
  const planned = await (await fetch(`${origin}/api/collections/proposals/items?district=${bydel.id}&status=planned&limit=100`)).json();
  const shown = await page.$$eval('#proposal-table tbody tr', (trs) => trs.map((tr) => Number(tr.dataset.proposalId)));
  assert.deepEqual(shown.sort(), planned.features.map((f) => f.properties.id).sort());
  assert.ok(!shown.includes(mine));
  assert.match(await page.getAttribute('#csv-link', 'href'), /status=planned/);
  // How many match, of the bydel's published proposals without the filter (from the API).
  assert.ok(published.numberMatched > planned.features.length, 'the filter leaves some out');
  assert.equal(words(await page.textContent('#status')),
    `${planned.features.length} av de ${published.numberMatched} publiserte forslagene i ${bydel.name} passer filteret.`);

  // A filter nothing matches: not «0 publiserte forslag» where there are some.
  const impossible = await (await fetch(`${origin}/api/collections/proposals/items?district=${bydel.id}&status=not_possible&limit=100`)).json();
  assert.equal(impossible.features.length, 0, 'no proposal is «not possible»');
  await chooseOption(page, 'f-status', 'not_possible');
  await page.focus('#filters-apply');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.search.includes('status=not_possible'));
  await participationSettled(page);
  const none = `Ingen av de ${published.numberMatched} publiserte forslagene i ${bydel.name} passer filteret.`;
  assert.equal(words(await page.textContent('#status')), none);
  assert.equal(words(await page.textContent('#no-proposals')), none);
  assert.equal(await page.locator('#proposal-table').count(), 0);
  await page.selectOption('#f-status', 'planned');
  await page.focus('#filters-apply');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => location.search.includes('status=planned'));
  await participationSettled(page);
  await page.locator('#proposal-table').waitFor();

  // Print: A4 without the filters and buttons; the table whole.
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.isVisible('#filters'), false);
  assert.equal(await page.isVisible('#csv-link'), false);
  assert.equal(await page.$eval('.table-wrap', (w) => getComputedStyle(w).overflowX), 'visible');
  assert.equal(await page.$eval('#proposal-table thead', (t) => getComputedStyle(t).display), 'table-header-group');
  await page.emulateMedia({ media: 'screen' });
  assertClean(p);
  await p.close();
});

test('every page: axe in nb and en, at 320 px, in high contrast; Norwegian text marked in English', async () => {
  const bydel = (await publicProposal(mine)).properties.kommunedel.id;
  const pages = [
    ['/?center=10.7594,59.9293&zoom=15', openResidents, residentsSettled],
    ['/embed?center=10.7594,59.9293&zoom=15&proposals=1', openResidents, residentsSettled],
    ['/medvirkning', openParticipation, participationSettled],
    [`/medvirkning?omrade=${encodeURIComponent(bydel)}`, openParticipation, participationSettled],
  ];
  const withQuery = (path, q) => (q ? `${path}${path.includes('?') ? '&' : '?'}${q}` : path);
  /** Everything this test asks of a page in one state. */
  async function check(p, path, lang, width, contrast) {
    const what = `${p.page.url()} at ${width} px${contrast ? ' in high contrast' : ''}`;
    assert.equal(await p.page.evaluate(() => document.documentElement.lang), lang, what);
    assert.equal(await p.page.evaluate(() => document.body.classList.contains('high-contrast')), contrast, what);
    assert.deepEqual(await axeViolations(p.page), [], `axe: ${what}`);
    await noSideScroll(p.page, what);
    if (lang === 'en') {
      // Proposal titles and texts are Norwegian: marked so.
      const marked = await p.page.$$eval('#proposal-list .result-name, #proposal-table .proposal-title > *',
        (els) => els.map((el) => el.getAttribute('lang')));
      assert.ok(path === '/medvirkning' || marked.length > 0, `titles listed on ${what}`);
      assert.ok(marked.every((l) => l === 'nb'), `titles lang="nb" on ${what}`);
    }
    // The marker: not a facility kind's colour in either theme.
    if (path.startsWith('/?')) await assertMarker(p.page, contrast ? '#000000' : '#111111');
    if (width === 320 && path.startsWith('/?')) {
      // The form at 320 px, in this language and contrast.
      await p.page.evaluate(() => {
        window.app.state.point = [10.759436, 59.929261];
      });
      await p.page.focus('#propose-open');
      await p.page.keyboard.press('Enter');
      await p.page.waitForSelector('#proposal-dialog[open]');
      assert.deepEqual(await axeViolations(p.page), [], `axe: the form on ${what}`);
      await p.page.screenshot({ path: screenshotPath(`proposals-form-${lang}${contrast ? '-contrast' : ''}-320.png`) });
      await p.page.keyboard.press('Escape');
      await p.page.waitForSelector('#proposal-dialog[open]', { state: 'detached' });
    }
    if (width === 320 && contrast) await p.page.screenshot({ path: screenshotPath(`proposals-${lang}-320${path.replace(/\W+/g, '-').slice(0, 20)}.png`), fullPage: path.startsWith('/medvirkning') });
  }
  for (const [path, open, settled] of pages) {
    for (const lang of ['nb', 'en']) {
      const url = withQuery(path, lang === 'en' ? 'lang=en' : '');
      const wide = await open(url, { viewport: { width: 1280, height: 800 } });
      await check(wide, path, lang, 1280, false);
      assertClean(wide);
      await wide.close();
      // Loaded at 320 px (the residents' map folds its legend then): in Bokmål in the
      // default colours, then high contrast by the page's own switch; in English loaded in
      // high contrast, then switched back. Both ways in, and both states, for every page.
      const high = lang === 'en';
      const narrow = await open(withQuery(url, high ? 'contrast=high' : ''), { viewport: { width: 320, height: 800 } });
      await check(narrow, path, lang, 320, high);
      // The embed keeps its switch in the filters' fold-out: opened first, as a reader would.
      const fold = narrow.page.locator('details:not([open]):has(#contrast) > summary');
      if (await fold.count()) await fold.click();
      await narrow.page.click('#contrast');
      await narrow.page.waitForFunction((on) => document.body.classList.contains('high-contrast') === on, !high);
      await settled(narrow.page);
      if (path.startsWith('/?')) assert.equal(/contrast=high/.test(narrow.page.url()), !high, 'the switch writes the URL');
      await check(narrow, path, lang, 320, !high);
      assertClean(narrow);
      await narrow.close();
    }
  }
});

test('two answers on the same day: the later one is the latest, on /medvirkning and in the residents\' list', async () => {
  const FIRST = 'Vi ser på saken sammen med skolen.';
  const LATER = 'Fotgjengerfeltet males i mai.';
  const made = await json('POST', '/api/proposals', {
    category: 'safety', title: 'Fotgjengerfelt ved skolen', text: 'Bilene kjører fort her, og mange barn krysser gaten om morgenen.',
    lon: 10.7598, lat: 59.9291, lang: 'nb', code: codes[4],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const id = made.body.id;
  await publish(id);
  await moderate(id, { action: 'answer', status: 'under_consideration', answer: FIRST });
  await moderate(id, { action: 'answer', status: 'planned', answer: LATER });
  const feature = await publicProposal(id);
  const answers = feature.properties.answers;
  // The API lists them oldest first; both have the same date, so only the order tells them apart.
  assert.deepEqual(answers.slice(-2).map((a) => a.answer), [FIRST, LATER], 'oldest first, as written');
  const [a, b] = answers.slice(-2);
  assert.equal(a.at, b.at, 'both answers have the same date');

  // /medvirkning: «Siste svar» is the later one.
  const bydel = feature.properties.kommunedel;
  const m = await openParticipation(`/medvirkning?omrade=${encodeURIComponent(bydel.id)}`);
  const cell = words(await m.page.textContent(`#proposal-table tr[data-proposal-id="${id}"] [data-key="answer"]`));
  assert.ok(cell.startsWith('Planlagt'), `the later status in «${cell}»`);
  assert.ok(cell.includes(LATER), `the later answer in «${cell}»`);
  assert.equal(cell.includes(FIRST), false, `not the earlier one in «${cell}»`);
  assertClean(m);
  await m.close();

  // The residents' list: the answers newest first, the later one on top.
  const p = await openResidents('/?center=10.7598,59.9291&zoom=17');
  const row = p.page.locator(`#proposal-list [data-proposal-id="${id}"]`);
  await row.waitFor();
  await row.locator('summary').click();
  const listed = (await row.locator('.answers li').allTextContents()).map(words);
  assert.ok(listed[0].includes(LATER) && listed[0].startsWith('Planlagt'), `the latest first: ${JSON.stringify(listed)}`);
  assert.ok(listed[1].includes(FIRST), `then the earlier: ${JSON.stringify(listed)}`);
  assertClean(p);
  await p.close();
});

/** Opens «Se svar på forslagene dine» by keyboard, types `code` and sends it. */
async function askMine(page, code, { open = true } = {}) {
  if (open) {
    await tabTo(page, 'mine-open');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#mine-dialog[open]');
  }
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-code', 'focus in the code field');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(code);
  const answer = page.waitForResponse((r) => r.url().endsWith('/api/proposals/mine'));
  await page.keyboard.press('Enter');
  return (await answer).status();
}

/** A date as the page writes it in Bokmål: «4. desember 2026». */
function nbDate(ymd) {
  const [y, m, d] = ymd.split('-').map(Number);
  const parts = Object.fromEntries(new Intl.DateTimeFormat('nb-NO', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
    .formatToParts(new Date(Date.UTC(y, m - 1, d, 12))).map((x) => [x.type, x.value]));
  return `${parts.day}. ${parts.month} ${parts.year}`;
}

/** Our words for a refused code in this dialog (a 403). */
const MINE_REFUSED = 'Koden ble ikke godtatt. Sjekk at du har skrevet den riktig.';
const EXPECTED_MINE = [/\/api\/proposals\/mine: HTTP 403/, /status of 403/];

test('«Se svar på forslagene dine»: a pupil reads, with her code, why her proposal was not published; another code\'s answer; a wrong code', async () => {
  const REASON = 'Forslaget nevner en person ved navn. Send det gjerne igjen uten navnet.';
  const made = await json('POST', '/api/proposals', {
    category: 'meeting_place', title: 'Benker ved butikken', text: 'Vi trenger et sted å sitte etter skolen, for eksempel benker ved butikken.',
    lon: 10.7596, lat: 59.9292, lang: 'nb', code: codes[2],
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const rejected = made.body.id;
  const r = await moderate(rejected, { action: 'reject', reason: REASON });
  assert.equal(r.body.state, 'rejected');
  // What the API says for each code: the page shows this.
  const theirs = await json('POST', '/api/proposals/mine', { code: codes[2] });
  assert.equal(theirs.status, 200);
  assert.deepEqual(theirs.body.proposals.map((x) => [x.id, x.state, x.reason]), [[rejected, 'rejected', REASON]]);
  const answered = await json('POST', '/api/proposals/mine', { code: codes[5] });
  assert.equal(answered.status, 200);
  const [o] = answered.body.proposals;
  assert.equal(o.id, other);
  assert.equal(o.state, 'published');
  assert.equal(o.status, 'planned');

  const p = await openResidents('/');
  const { page } = p;
  // The button is beside «Foreslå noe her»: the next stop after it.
  await tabTo(page, 'propose-open');
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-open');
  assert.equal(words(await page.textContent('#mine-open')), 'Se svar på forslagene dine');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#mine-dialog[open]');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-code');
  assert.deepEqual(await axeViolations(page), [], 'axe: the empty dialog');

  // Nothing typed: say what to do, focus stays in the field.
  await page.keyboard.press('Enter');
  await page.waitForSelector('#mine-errors:not([hidden])');
  assert.equal(await page.getAttribute('#mine-code', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-code');

  // The rejected proposal: its title, category, when sent, and the moderator's reason.
  assert.equal(await askMine(page, codes[2], { open: false }), 200);
  await page.waitForSelector('#mine-result:not([hidden])');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-result-heading', 'focus on the results\' heading');
  assert.equal(await page.isHidden('#mine-errors'), true, 'the earlier error is gone');
  const item = page.locator(`#mine-list [data-proposal-id="${rejected}"]`);
  assert.equal(words(await item.locator('.mine-title').textContent()), 'Benker ved butikken');
  const text = words(await item.textContent());
  assert.ok(text.includes('Møteplass'), `the category in «${text}»`);
  assert.ok(text.includes(`Sendt${nbDate(theirs.body.proposals[0].created)}`), `when sent (${theirs.body.proposals[0].created}) in «${text}»`);
  assert.ok(text.includes('Ikke publisert. Begrunnelsen fra kommunen:'), `not published in «${text}»`);
  assert.equal(words(await item.locator('.mine-reason').textContent()), REASON);
  await page.waitForFunction(() => /Forslagene dine/.test(document.getElementById('announcer').textContent));
  assert.match(await page.textContent('#announcer'), /Det er sendt 1 forslag med denne koden/);
  assert.deepEqual(await axeViolations(page), [], 'axe: the rejection');
  await page.screenshot({ path: screenshotPath('proposals-mine-rejected.png') });

  // Another code: its published proposal, its status, supports and the answer.
  await page.focus('#mine-code');
  assert.equal(await askMine(page, codes[5], { open: false }), 200);
  await page.waitForSelector(`#mine-list [data-proposal-id="${other}"]`);
  const pub = words(await page.textContent(`#mine-list [data-proposal-id="${other}"]`));
  assert.ok(pub.includes(OTHER_TITLE), pub);
  assert.ok(pub.includes(`Publisert i kartet med status «Planlagt». Det har ${o.supports} ${o.supports === 1 ? 'støtte' : 'støtter'}.`), `published in «${pub}»`);
  assert.ok(pub.includes('Planlagt: Bymiljøetaten setter opp lys i vår.'), `the answer in «${pub}»`);
  assert.ok(pub.includes('Stier og belysning'), `the category in «${pub}»`);
  assert.equal(await page.locator(`#mine-list [data-proposal-id="${rejected}"]`).count(), 0, 'the other code\'s proposal is gone');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-result-heading');

  // A code with nothing sent yet.
  await page.focus('#mine-code');
  assert.equal(await askMine(page, codes[3], { open: false }), 200);
  await page.waitForFunction(() => /Ingen forslag er sendt med denne koden ennå/.test(document.getElementById('mine-count').textContent));
  assert.equal(await page.locator('#mine-list li').count(), 0);

  // A wrong code: our words only, focus on the field, no results left standing.
  await page.focus('#mine-code');
  assert.equal(await askMine(page, 'FEIL-KODE-00', { open: false }), 403);
  await page.waitForSelector('#mine-errors:not([hidden])');
  const wrong = await json('POST', '/api/proposals/mine', { code: 'FEIL-KODE-00' });
  assert.equal(wrong.status, 403);
  assert.deepEqual((await page.locator('#mine-errors li').allTextContents()).map(words), [MINE_REFUSED]);
  assert.ok(wrong.body.detail, 'the server gives a detail');
  assert.equal(words(await page.textContent('#mine-dialog')).includes(words(wrong.body.detail)), false, 'the 403 detail is not shown');
  assert.equal(await page.locator('#mine-errors .problem-detail').count(), 0);
  assert.equal(await page.getAttribute('#mine-code', 'aria-invalid'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-code');
  assert.equal(await page.isHidden('#mine-result'), true);
  assert.deepEqual(await axeViolations(page), [], 'axe: the refused code');

  // Escape: focus back on the button; opened again, nothing of before is left.
  await page.keyboard.press('Escape');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'mine-open', 'focus back on the button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#mine-dialog[open]');
  assert.equal(await page.inputValue('#mine-code'), '');
  assert.equal(await page.isHidden('#mine-errors'), true);
  assert.equal(await page.isHidden('#mine-result'), true);
  await page.keyboard.press('Escape');
  assertClean(p, { allowed: EXPECTED_MINE });
  await p.close();

  // In nb and en, at 320 px (and in high contrast): axe clean, no sideways scrolling, the
  // Norwegian title, reason and answer marked lang="nb" in English.
  for (const lang of ['nb', 'en']) {
    for (const contrast of [false, true]) {
      const q = [lang === 'en' ? 'lang=en' : '', contrast ? 'contrast=high' : ''].filter(Boolean).join('&');
      const narrow = await openResidents(q ? `/?${q}` : '/', { viewport: { width: 320, height: 700 } });
      const what = `${lang}${contrast ? ', high contrast' : ''} at 320 px`;
      const np = narrow.page;
      await np.focus('#propose-open');
      assert.equal(await askMine(np, codes[2]), 200);
      await np.waitForSelector(`#mine-list [data-proposal-id="${rejected}"]`);
      if (lang === 'en') {
        assert.equal(words(await np.textContent('#mine-open')), 'See the answers to your proposals');
        assert.ok(words(await np.textContent('#mine-list')).includes('Not published. The municipality\'s reason:'), what);
        assert.equal(await np.getAttribute(`#mine-list [data-proposal-id="${rejected}"] .mine-title`, 'lang'), 'nb');
        assert.equal(await np.getAttribute(`#mine-list [data-proposal-id="${rejected}"] .mine-reason`, 'lang'), 'nb');
      }
      assert.deepEqual(await axeViolations(np), [], `axe: the rejection, ${what}`);
      await noSideScroll(np, `the rejection, ${what}`);
      assert.ok(await np.$eval('#mine-dialog', (d) => d.scrollWidth <= d.clientWidth), `the dialog does not scroll sideways, ${what}`);
      await np.focus('#mine-code');
      assert.equal(await askMine(np, codes[5], { open: false }), 200);
      await np.waitForSelector(`#mine-list [data-proposal-id="${other}"]`);
      if (lang === 'en') {
        assert.equal(await np.getAttribute(`#mine-list [data-proposal-id="${other}"] .answer-text`, 'lang'), 'nb');
        assert.ok(words(await np.textContent('#mine-list')).includes('Published on the map with the status “Planned”'), what);
      }
      assert.deepEqual(await axeViolations(np), [], `axe: the answer, ${what}`);
      assert.ok(await np.$eval('#mine-dialog', (d) => d.scrollWidth <= d.clientWidth), `the dialog does not scroll sideways, ${what}`);
      await np.focus('#mine-code');
      assert.equal(await askMine(np, 'FEIL-KODE-00', { open: false }), 403);
      await np.waitForSelector('#mine-errors:not([hidden])');
      if (lang === 'en') {
        assert.deepEqual((await np.locator('#mine-errors li').allTextContents()).map(words),
          ['The code was not accepted. Check that you have typed it correctly.']);
      }
      assert.deepEqual(await axeViolations(np), [], `axe: the refused code, ${what}`);
      await np.screenshot({ path: screenshotPath(`proposals-mine-${lang}${contrast ? '-contrast' : ''}-320.png`) });
      await np.keyboard.press('Escape');
      assert.equal(await np.evaluate(() => document.activeElement.id), 'mine-open');
      assertClean(narrow, { allowed: EXPECTED_MINE });
      await narrow.close();
    }
  }
});
