// A season's activities as one CSV file on the organisations' page (/org), end to end as a club
// treasurer, on a real server that sends email to an SMTP server in this test: the first staff
// admin is made with the CLI and creates a club and invites its treasurer as org_admin (through
// the API, as /admin does); the treasurer chooses a password, signs in on /org, downloads the
// template through the page's link (it has the header), uploads a file with two valid rows and
// a bad one (the errors by row and column, focus on their heading, nothing written: the public
// API has no activity), then a file with an end before a start (the same), then the corrected
// file as Windows-1252 bytes with æøå in a title, keyboard only, with a second submit while the
// first is under way sending nothing: both activities are in the page's list and in the public
// API with the right weekdays, and "2 aktiviteter er lagt til" is said. axe on the section with
// errors shown (at 1024 and 320 px, in high contrast and in English); no request leaves the
// server. And an en dash in a Windows-1252 file reads as itself.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/season.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';

import { axeViolations, openPage, screenshotPath } from './harness.mjs';
import { signInLink, startPortal, stopPortal } from './portal.mjs';

let server;
let browser;
let origin;
let smtp;

/** The sign-in link in an email's text, on this server's origin. */
const linkIn = (text) => signInLink(origin, text);

before(async () => ({ smtp, server, browser, origin } = await startPortal()));

after(() => stopPortal({ smtp, server, browser }));

// The link page has no icon (a favicon 404 after it); a signed-out /api/me is 401; a file
// with mistakes is a 422.
const ALLOWED = [/status of 404 \(Not Found\)/, /\/api\/me: HTTP 401/, /401 \(Unauthorized\)/,
  /\/activities\.csv: HTTP 422/, /422 \(Unprocessable Entity\)/];

function assertClean(p) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures.filter((f) => !ALLOWED.some((re) => re.test(f))), [], 'failed requests');
  assert.deepEqual(p.errors.filter((f) => !ALLOWED.some((re) => re.test(f))), [], `errors in the page (failed requests: ${p.failures.join(', ')})`);
}

async function assertAxe(page, what) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${what}`);
}

async function openOrg(p, path = '/org') {
  await p.page.goto(`${origin}${path}`);
  await p.page.waitForFunction(() => window.app?.ready);
  await p.page.evaluate(() => window.app.ready);
}

/** Opens an emailed (or printed) link, presses its button, chooses a password on /org. */
async function acceptLink(p, link, password) {
  await p.page.goto(link);
  await p.page.getByRole('button', { name: /Logg inn/ }).press('Enter');
  await p.page.waitForURL(/\/org\?account=password/);
  await p.page.waitForFunction(() => window.app?.view === 'password');
  await p.page.getByLabel('Nytt passord').fill(password);
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => window.app?.view === 'signed-in');
}

/** A write from the page's own session (the staff admin's API calls). */
function write(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const me = await (await fetch('/api/me')).json();
    const r = await fetch(path, {
      method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf }, body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  }, { method, path, body });
}

/** Presses Tab until the focused element is `selector` (at most `max` times). */
async function tabTo(page, selector, max = 60) {
  const passed = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s), selector)) return;
    passed.push(await page.evaluate(() => {
      const a = document.activeElement;
      return a ? `${a.tagName.toLowerCase()}#${a.id}` : '(none)';
    }));
  }
  assert.fail(`Tab never reached ${selector}; it went to ${passed.join(', ')}`);
}

/** Chooses `file` in the season's file input with the keyboard: Space opens the file
 * chooser (headless Chromium now and then drops the first press on a loaded machine: then
 * Enter, which opens it too). */
async function chooseFile(page, file) {
  await page.locator('#season-template').focus();
  await tabTo(page, '#season-file', 3);
  for (const key of ['Space', 'Enter']) {
    const chooser = page.waitForEvent('filechooser', { timeout: key === 'Space' ? 5000 : 30000 }).catch(() => null);
    await page.keyboard.press(key);
    const opened = await chooser;
    if (opened) {
      await opened.setFiles(file);
      return;
    }
    assert.equal(await focusedId(page), 'season-file', 'the file input keeps the focus');
  }
  assert.fail('neither Space nor Enter opened the file chooser');
}

/** Chooses `file`, then Tab to the Upload button and Enter; resolves with the answer's status. */
async function upload(page, file) {
  await chooseFile(page, file);
  // Chromium may hand the focus back to the page a moment after the chooser closes: wait
  // until it is on the file input again, then go on from there.
  await page.waitForFunction(() => document.activeElement?.id === 'season-file');
  await tabTo(page, '#season-upload', 3);
  const answered = page.waitForResponse((r) => r.url().endsWith('/activities.csv') && r.request().method() === 'POST');
  await page.keyboard.press('Enter');
  return (await answered).status();
}

/** The public API's activities of the organisation. */
async function publicActivities(orgId) {
  return (await (await fetch(`${origin}/api/collections/activities/items?org=${orgId}&limit=1000`)).json()).features;
}

/** The live region says `text`. */
const announced = (page, text) => page.waitForFunction((want) => document.getElementById('announcer')?.textContent === want, text);

const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

const ADMIN = { email: 'ada@drammen.kommune.no', name: 'Ada Admin', password: 'fire ord er lett å huske' };
const TREASURER = { email: 'kasserer@stromso-il.example.no', name: 'Kari Kasserer', password: 'sesongen starter i august' };
const ORG = 'Strømsø IL';

const csv = (header, rows) => `${[header.join(';'), ...rows.map((r) => header.map((c) => r[c] ?? '').join(';'))].join('\r\n')}\r\n`;
const file = (name, text, buffer = Buffer.from(text, 'utf8')) => ({ name, mimeType: 'text/csv', buffer });

// Windows-1252's characters in 0x80–0x9F (the rest of its first 256 are Latin-1's).
const CP1252 = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
/** `text` as Windows-1252 bytes, as Excel in Norway saves "CSV (semikolonseparert)". */
function windows1252(text) {
  return Buffer.from([...text].map((c) => {
    const i = CP1252.indexOf(c);
    if (i >= 0) return 0x80 + i;
    assert.ok(c.codePointAt(0) < 0x100, `«${c}» is not in Windows-1252`);
    return c.codePointAt(0);
  }));
}

test('a club treasurer uploads the season as one CSV file', async () => {
  // The first staff admin (CLI) makes the club and invites its treasurer as its admin.
  const { stdout } = await promisify(execFile)(server.bin, ['--data', server.data, 'admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name]);
  const staff = await openPage(browser, origin);
  await acceptLink(staff, linkIn(stdout), ADMIN.password);
  const made = await write(staff.page, 'POST', '/api/organisations', { name: ORG, kind: 'sports_club', contact: 'post@stromso-il.example.no' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const orgId = made.body.id;
  const invitation = smtp.next(TREASURER.email);
  const invited = await write(staff.page, 'POST', `/api/organisations/${orgId}/invitations`, { email: TREASURER.email, name: TREASURER.name, role: 'org_admin' });
  assert.ok([200, 201, 202].includes(invited.status), JSON.stringify(invited));
  assertClean(staff);
  await staff.close();
  const first = await openPage(browser, origin);
  await acceptLink(first, linkIn((await invitation).text), TREASURER.password);
  await first.close();

  // The treasurer signs in on /org with the password.
  const p = await openPage(browser, origin);
  const { page } = p;
  await openOrg(p);
  assert.equal(await page.evaluate(() => window.app.view), 'signed-out');
  const signIn = page.locator('#sign-in-form');
  await signIn.getByLabel('E-postadresse').fill(TREASURER.email);
  await signIn.getByLabel('Passord', { exact: true }).fill(TREASURER.password);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.view === 'signed-in');
  await page.waitForFunction(() => document.activeElement?.id === 'page-heading');
  await page.locator('#activity-list').getByText('Ingen aktiviteter ennå.').waitFor();
  const section = page.locator('#season');
  assert.equal(await section.getByRole('heading', { level: 3 }).textContent(), 'Last opp sesongen (CSV)');
  assert.match(await section.textContent(), /Alle radene sjekkes først: ingenting lagres før hver rad er riktig\./);
  const fileInput = section.getByLabel('CSV-fil med aktivitetene');
  assert.equal(await fileInput.getAttribute('type'), 'file');
  assert.match(await fileInput.getAttribute('accept'), /\.csv/);

  // The template, downloaded through the page's link.
  const downloading = page.waitForEvent('download');
  await section.getByRole('link', { name: 'Last ned malen (CSV)' }).press('Enter');
  const download = await downloading;
  const template = readFileSync(await download.path(), 'utf8').replace(/^\uFEFF/, '');
  const [headerLine, exampleLine] = template.split(/\r?\n/);
  const header = headerLine.split(';');
  assert.deepEqual(header.slice(0, 3), ['title', 'description', 'category']);
  for (const column of ['sessions', 'facility_id', 'lon', 'lat', 'valid_from', 'valid_to']) assert.ok(header.includes(column), `the template has «${column}»`);
  assert.equal(exampleLine.split(';').length, header.length, 'the example row fills every column');

  // No file chosen: said beside the input.
  await section.getByRole('button', { name: 'Last opp' }).press('Enter');
  await page.locator('#season-file-error', { hasText: 'Velg en CSV-fil først.' }).waitFor();
  assert.equal(await focusedId(page), 'season-file');

  const facility = (await (await fetch(`${origin}/api/collections/facilities/items?limit=1`)).json()).features[0];
  const fotball = { title: 'Fotball for 10 til 12 år', category: 'sport', age_min: '10', age_max: '12', price_nok: '0', facility_id: String(facility.id), sessions: 'man 17:00-18:30, ons 17:00-18:30', valid_from: '2026-08-17', valid_to: '2026-12-09' };
  const skoyter = { title: 'Skøyter på isen – lær å gå på skøyter', category: 'outdoor', age_min: '5', price_nok: '50', lon: String(facility.geometry.coordinates[0]), lat: String(facility.geometry.coordinates[1]), sessions: 'lørdag 10:00-11:30' };
  const bad = { title: 'Håndball', category: 'sport', age_min: 'ti', facility_id: String(facility.id), sessions: 'fredagx 17:00-18:30' };

  // A file with two valid rows and a bad one: its errors by row and column, nothing written.
  assert.equal(await upload(page, file('sesong.csv', csv(header, [fotball, bad, skoyter]))), 422);
  const summary = page.locator('#season-errors');
  await summary.waitFor({ state: 'visible' });
  assert.equal(await focusedId(page), 'season-errors-heading', 'focus on the error summary heading');
  assert.equal(await page.locator('#season-errors-heading').textContent(), 'Filen har 2 feil:');
  assert.match(await summary.textContent(), /Ingenting er lagret\./);
  const lines = await summary.locator('li').allTextContents();
  assert.deepEqual([...lines].sort(), [
    'Rad 3, kolonne «age_min»: «ti» er ikke et tall.',
    'Rad 3, kolonne «sessions»: «fredagx» er ikke en ukedag. Skriv for eksempel man, tir, ons, tor, fre, lør eller søn.',
  ]);
  assert.deepEqual(await publicActivities(orgId), [], 'nothing was written');
  await page.locator('#activity-list').getByText('Ingen aktiviteter ennå.').waitFor();
  await assertAxe(page, 'the season section with errors shown');
  await section.screenshot({ path: screenshotPath('org-season-errors.png') });

  // An end before its start: the activity's own words, by row and column; still nothing written.
  assert.equal(await upload(page, file('sesong.csv', csv(header, [fotball, { ...bad, age_min: '10', sessions: 'tor 18:30-17:00' }, skoyter]))), 422);
  await page.locator('#season-error-list li', { hasText: 'Rad 3, kolonne «sessions»: Slutten må være etter starten.' }).waitFor();
  assert.equal(await summary.locator('li').count(), 1);
  assert.equal(await focusedId(page), 'season-errors-heading');
  assert.deepEqual(await publicActivities(orgId), [], 'nothing was written');

  // At 320 px and in high contrast, errors shown: no sideways scrolling, axe clean.
  await page.setViewportSize({ width: 320, height: 640 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'the page reflows at 320 px');
  const box = await section.boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= 320, `the section fits 320 px: ${JSON.stringify(box)}`);
  await assertAxe(page, 'the season section with errors, 320 px');
  await page.screenshot({ path: screenshotPath('org-season-320.png'), fullPage: true });
  await page.locator('#contrast').press('Enter');
  await page.waitForFunction(() => document.body.classList.contains('high-contrast'));
  await assertAxe(page, 'the season section with errors, high contrast');
  await page.locator('#contrast').press('Enter');
  await page.setViewportSize({ width: 1024, height: 640 });

  // The corrected file, as Excel writes it in Norway: Windows-1252, with æøå in a title.
  const title = 'Skøyteløp for små og store, Ærlig øving';
  const fixedText = csv(header, [fotball, { ...skoyter, title }]);
  const cp1252 = file('sesong-rettet.csv', fixedText, windows1252(fixedText));
  assert.ok(cp1252.buffer.includes(0xf8) && !cp1252.buffer.includes(0xc3), 'the file is Windows-1252 (ø as one byte)');
  // Held on its way, so that a second submit meanwhile can be tried: the button is disabled.
  let posts = 0;
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.route('**/activities.csv', async (route) => {
    posts += 1;
    await held;
    await route.continue();
  });
  await chooseFile(page, cp1252);
  await tabTo(page, '#season-upload', 3);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.getElementById('season-upload').disabled);
  await page.evaluate(() => document.getElementById('season-form').requestSubmit());
  await page.keyboard.press('Enter');
  release();
  await announced(page, '2 aktiviteter er lagt til.');
  await page.unroute('**/activities.csv');
  assert.equal(posts, 1, 'one upload for the presses while it was sent');
  assert.equal(await page.locator('#season-errors').isHidden(), true, 'the old errors are gone');
  assert.equal(await page.locator('#season-status').textContent(), '2 aktiviteter er lagt til.');
  const cards = await page.locator('#activity-list li.item h3').allTextContents();
  assert.deepEqual([...cards].sort(), [fotball.title, title].sort(), 'the list shows both when it is said');
  assert.equal(await page.locator('#season-upload').isDisabled(), false);

  const written = await publicActivities(orgId);
  assert.equal(written.length, 2);
  const byTitle = Object.fromEntries(written.map((f) => [f.properties.title, f.properties]));
  assert.deepEqual(Object.keys(byTitle).sort(), [fotball.title, title].sort(), 'æøå read from Windows-1252');
  assert.deepEqual(byTitle[fotball.title].schedule.sessions, [
    { weekday: 1, start: '17:00', end: '18:30' }, { weekday: 3, start: '17:00', end: '18:30' }]);
  assert.equal(byTitle[fotball.title].schedule.valid_from, '2026-08-17');
  assert.equal(byTitle[fotball.title].place.facility_id, facility.id);
  assert.deepEqual(byTitle[title].schedule.sessions, [{ weekday: 6, start: '10:00', end: '11:30' }]);
  assertClean(p);
  await p.close();
});

test('the season upload in English', async () => {
  const p = await openPage(browser, origin, { locale: 'en-GB' });
  const { page } = p;
  await openOrg(p, '/org?lang=en');
  const signIn = page.locator('#sign-in-form');
  await signIn.locator('#signin-email').fill(TREASURER.email);
  await signIn.locator('#signin-password').fill(TREASURER.password);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.view === 'signed-in');
  // Signing in moves the focus to the page's heading once the page is built: wait for it,
  // or it lands there in the middle of the keyboard steps below.
  await page.waitForFunction(() => document.activeElement?.id === 'page-heading');
  const section = page.locator('#season');
  assert.equal(await section.getByRole('heading', { level: 3 }).textContent(), 'Upload the season (CSV)');
  assert.match(await section.textContent(), /All rows are checked first: nothing is saved unless every row is right\./);
  await section.getByRole('link', { name: 'Download the template (CSV)' }).waitFor();
  const before = await page.locator('#activity-list li.item').count();
  const text = 'title;category;facility_id;sessions\r\nSjakk;games_tech;1;onsdag 18:00-19:30\r\nBridge;cards;1;tue 18:00\r\n';
  assert.equal(await upload(page, file('season.csv', text)), 422);
  await page.locator('#season-errors').waitFor({ state: 'visible' });
  assert.equal(await focusedId(page), 'season-errors-heading');
  assert.equal(await page.locator('#season-errors-heading').textContent(), 'The file has 2 errors:');
  assert.match(await page.locator('#season-errors').textContent(), /Nothing was saved\./);
  const lines = await page.locator('#season-error-list li').allTextContents();
  assert.ok(lines.some((l) => l.startsWith('Row 3, column “category”: “cards” is not a category.')), lines.join('\n'));
  assert.ok(lines.includes('Row 3, column “sessions”: “18:00”: write start and end, for example 17:00-18:30.'), lines.join('\n'));
  await assertAxe(page, 'the season section with errors, English');
  assert.equal(await page.locator('#activity-list li.item').count(), before, 'nothing added');
  assertClean(p);
  await p.close();
});

// Excel writes "–", "€" and curly quotes as Windows-1252 bytes 0x80–0x9F (in Latin-1 they
// would be control characters).
test('Windows-1252 beyond Latin-1 (an en dash from Excel) reads as itself', async () => {
  const p = await openPage(browser, origin);
  const { page } = p;
  await openOrg(p);
  await page.locator('#signin-email').fill(TREASURER.email);
  await page.locator('#signin-password').fill(TREASURER.password);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.view === 'signed-in');
  await page.waitForFunction(() => document.activeElement?.id === 'page-heading');
  const orgId = await page.evaluate(() => window.app.page.org);
  const facility = (await (await fetch(`${origin}/api/collections/facilities/items?limit=1`)).json()).features[0];
  const title = 'Sommerleir – uke 26';
  const text = `title;category;facility_id;sessions\r\n${title};outdoor;${facility.id};man 09:00-15:00\r\n`;
  // The bytes are the point here, not the keyboard (the first test is keyboard only).
  await page.locator('#season-file').setInputFiles(file('sommer.csv', text, windows1252(text)));
  const answered = page.waitForResponse((r) => r.url().endsWith('/activities.csv') && r.request().method() === 'POST');
  await page.locator('#season-upload').click();
  assert.equal((await answered).status(), 201);
  await announced(page, '1 aktivitet er lagt til.');
  const titles = (await publicActivities(orgId)).map((f) => f.properties.title);
  assert.ok(titles.includes(title), `«${title}» in ${JSON.stringify(titles)}`);
  await p.close();
});
