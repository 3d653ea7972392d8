// An organisation's consent to publish its activities as open data, on the organisations'
// page (/org), end to end on a real server that sends email to an SMTP server in this test:
// the first staff admin (CLI) makes a club and invites its admin and an editor (through the
// API, as /admin does); the club's admin adds an activity (API). Before the consent the
// activity is not published in the OpenActive feed (/api/feeds/session-series). The consent
// is the organisation's own: the staff admin sees it disabled. The admin, keyboard only,
// ticks «Publiser aktivitetene våre som åpne data» and saves with the profile's own button:
// the PATCH carries `open_data: true` (and the CSRF token), the section's status line says
// it, GET /api/organisations has `open_data: true` and the feed carries the activity (CC BY
// 4.0, without the organisation's contact). The explanation says what, where (the feed's
// whole URL), the licence and how to stop. The staff admin may now untick it (withdraw only).
// The editor sees the consent ticked and disabled, with who may change it, and the server
// refuses her PATCH (403). A failed save is said in the focused error summary and keeps the
// tick as chosen; unticking and saving takes the activity out of the feed (a deleted item).
// axe at 1024 and 320 px (no sideways scrolling), in high contrast and in English; no request
// leaves the server.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/org-open-data.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
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

// The link page has no icon (a favicon 404 after it); a signed-out /api/me is 401; the
// editor's own PATCH is refused (403); one save fails on purpose (500).
const ALLOWED = [/status of 404 \(Not Found\)/, /\/api\/me: HTTP 401/, /401 \(Unauthorized\)/,
  /\/api\/organisations\/\d+: HTTP 403/, /403 \(Forbidden\)/,
  /\/api\/organisations\/\d+: HTTP 500/, /500 \(Internal Server Error\)/];

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
  // Choosing the password moves the focus to the page's heading once the page is drawn.
  await p.page.waitForFunction(() => document.activeElement?.id === 'page-heading');
}

/** A write from the page's own session, with its CSRF token. */
function write(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const me = await (await fetch('/api/me')).json();
    const r = await fetch(path, {
      method, headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf }, body: JSON.stringify(body),
    });
    return { status: r.status, body: r.status === 204 ? null : await r.json().catch(() => null) };
  }, { method, path, body });
}

/** Presses Tab until the focused element matches `selector` (at most `max` times). */
async function tabTo(page, selector, max = 10) {
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

const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** The organisation as GET /api/organisations has it (public). */
async function organisation(id) {
  return (await (await fetch(`${origin}/api/organisations`)).json()).organisations.find((o) => o.id === id);
}

const LICENCE = 'https://creativecommons.org/licenses/by/4.0/';

/** The whole RPDE feed (every page, following `next` to the empty last one), by item id. */
async function feed() {
  const items = new Map();
  let url = `${origin}/api/feeds/session-series`;
  for (let pages = 0; pages < 100; pages++) {
    const r = await fetch(url);
    assert.equal(r.status, 200, url);
    const body = await r.json();
    assert.equal(body.license, LICENCE, 'the feed is CC BY 4.0');
    if (!body.items.length) return items;
    for (const item of body.items) items.set(item.id, item);
    url = body.next;
  }
  assert.fail('the feed has no end');
}

/** Presses Tab from the website field to the consent, Space, Tab to the save button, Enter;
 * resolves with the PATCH sent. */
async function tickAndSave(page) {
  await page.locator('#profile-website').focus();
  await tabTo(page, '#profile-open-data');
  await page.keyboard.press('Space');
  await tabTo(page, '#profile-save button[type="submit"]');
  const sent = page.waitForRequest((r) => r.method() === 'PATCH' && /\/api\/organisations\/\d+$/.test(r.url()));
  await page.keyboard.press('Enter');
  return sent;
}

const STAFF = { email: 'ada@kommune.example.no', name: 'Ada Admin', password: 'fire ord er lett å huske' };
const CLUB_ADMIN = { email: 'leder@sjakk.example.no', name: 'Lise Leder', password: 'sjakk på onsdager kl 18' };
const EDITOR = { email: 'trener@sjakk.example.no', name: 'Tor Trener', password: 'springeren hopper over' };
const ORG = 'Åssiden sjakklubb';
const TITLE = 'Sjakk for nybegynnere';
const CONSENT = 'Publiser aktivitetene våre som åpne data';

test('an organisation publishes its activities as open data, and withdraws', async () => {
  // The first staff admin (CLI) makes the club and invites its admin and an editor.
  const { stdout } = await promisify(execFile)(server.bin, ['--data', server.data, 'admin', 'create', '--email', STAFF.email, '--name', STAFF.name]);
  const staff = await openPage(browser, origin);
  await acceptLink(staff, linkIn(stdout), STAFF.password);
  const made = await write(staff.page, 'POST', '/api/organisations', { name: ORG, kind: 'volunteer_organisation', contact: 'post@sjakk.example.no' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const orgId = made.body.id;
  assert.equal((await organisation(orgId)).open_data, false, 'no consent to begin with');
  const invitations = [];
  for (const [who, role] of [[CLUB_ADMIN, 'org_admin'], [EDITOR, 'editor']]) {
    const mail = smtp.next(who.email);
    const invited = await write(staff.page, 'POST', `/api/organisations/${orgId}/invitations`, { email: who.email, name: who.name, role });
    assert.ok([200, 201, 202].includes(invited.status), JSON.stringify(invited));
    invitations.push(await mail);
  }
  // The consent is the club's own to give: a staff admin sees it disabled, and why (the club
  // is in her list once the page is drawn anew).
  await openOrg(staff, `/org?org=${orgId}`);
  assert.equal(await staff.page.evaluate(() => window.app.page.org), orgId);
  const staffBox = staff.page.getByRole('checkbox', { name: CONSENT });
  assert.equal(await staffBox.isChecked(), false);
  assert.equal(await staffBox.isDisabled(), true, 'a staff admin cannot give the consent');
  assert.equal(await staff.page.locator('#profile-open-data-hint').textContent(), 'Bare organisasjonens egne administratorer kan gi samtykket.');
  assert.equal(await staff.page.locator('#profile-fields').isVisible(), true, 'the rest of the profile is hers to edit');
  assert.equal((await write(staff.page, 'PATCH', `/api/organisations/${orgId}`, { open_data: true })).status, 403, 'the server refuses her too');

  // The club's admin chooses a password (and is signed in), then adds an activity.
  const a = await openPage(browser, origin);
  const { page } = a;
  await acceptLink(a, linkIn(invitations[0].text), CLUB_ADMIN.password);
  const facility = (await (await fetch(`${origin}/api/collections/facilities/items?limit=1`)).json()).features[0];
  const added = await write(page, 'POST', '/api/collections/activities/items', {
    org_id: orgId, title: TITLE, description: 'Lær trekkene og de første åpningene.', category: 'games_tech',
    age_min: 8, age_max: 14, price_nok: 0, place: { facility_id: facility.id },
    schedule: { sessions: [{ weekday: 3, start: '18:00', end: '19:30' }] },
  });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const actId = added.body.id ?? added.body.properties?.id;
  assert.ok(Number.isInteger(actId), `the new activity's id in ${JSON.stringify(added.body)}`);
  const unpublished = (await feed()).get(actId);
  assert.ok(!unpublished || unpublished.state === 'deleted', `without consent the activity is not published: ${JSON.stringify(unpublished)}`);

  // The consent, in the profile: what, where, licence and how to stop, then the checkbox.
  const section = page.locator('#open-data');
  await section.waitFor({ state: 'visible' });
  assert.equal(await section.locator('legend').textContent(), 'Åpne data');
  const facts = await section.locator('dt').allTextContents();
  assert.deepEqual(facts, ['Hva som deles', 'Hvor', 'Lisens', 'Angre']);
  const text = await section.textContent();
  assert.match(text, /Tittel, beskrivelse, kategori, alder, pris, tider, sted og påmeldingsadresse/);
  assert.match(text, /navnet og nettsiden til organisasjonen\. Ikke kontaktopplysningene deres, og ingen personopplysninger om medlemmene\./);
  assert.match(text, /OpenActive/);
  assert.match(text, /forsvinner aktivitetene fra strømmen/);
  const feedLink = section.getByRole('link', { name: `${origin}/api/feeds/session-series` });
  assert.equal(await feedLink.getAttribute('href'), `${origin}/api/feeds/session-series`, 'the feed as a whole URL');
  assert.equal(await section.getByRole('link', { name: /CC BY 4\.0/ }).getAttribute('href'), LICENCE);
  const box = page.getByRole('checkbox', { name: CONSENT });
  assert.equal(await box.isChecked(), false);
  assert.equal(await box.isEnabled(), true, 'enabled for the club\'s admin');
  assert.equal(await page.locator('#profile-open-data-hint').textContent(), 'Gjelder når du trykker «Lagre opplysningene».');
  assert.equal(await box.getAttribute('aria-describedby'), 'profile-open-data-hint');
  await assertAxe(page, 'the consent, not given');

  // Keyboard only: Tab to the checkbox, Space, Tab to «Lagre opplysningene», Enter.
  const sent = await tickAndSave(page);
  const patch = sent.postDataJSON();
  assert.equal(patch.open_data, true, 'the PATCH carries the consent');
  assert.equal(patch.name, ORG, 'with the rest of the profile');
  assert.ok(sent.headers()['x-csrf-token'], 'and the CSRF token');
  const status = page.locator('#profile-status');
  await status.getByText(`Opplysningene om ${ORG} er lagret. Aktivitetene deres er nå med i den åpne strømmen.`).waitFor();
  assert.equal(await status.getAttribute('role'), 'status');
  assert.equal(await box.isChecked(), true);
  assert.equal((await organisation(orgId)).open_data, true, 'GET /api/organisations has the consent');
  const item = (await feed()).get(actId);
  assert.equal(item?.state, 'updated', 'the activity is in the feed');
  assert.equal(item.kind, 'SessionSeries');
  assert.equal(item.data.name, TITLE);
  assert.equal(item.data.organizer.name, ORG);
  assert.equal(item.data.organizer.email, undefined, 'not the organisation\'s contact');
  await assertAxe(page, 'the consent given');

  // 320 px: no sideways scrolling, the feed's URL breaks inside the section; high contrast.
  await page.setViewportSize({ width: 320, height: 640 });
  await section.scrollIntoViewIfNeeded();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'the page reflows at 320 px');
  const rect = await section.boundingBox();
  assert.ok(rect.x >= 0 && rect.x + rect.width <= 320, `the consent fits 320 px: ${JSON.stringify(rect)}`);
  await assertAxe(page, 'the consent at 320 px');
  await section.screenshot({ path: screenshotPath('org-open-data-320.png') });
  await page.locator('#contrast').press('Enter');
  await page.waitForFunction(() => document.body.classList.contains('high-contrast'));
  await assertAxe(page, 'the consent at 320 px, high contrast');
  await page.locator('#contrast').press('Enter');
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.locator('#profile').screenshot({ path: screenshotPath('org-open-data.png') });

  // Given, the staff admin may withdraw it (not give it again): enabled while ticked.
  await openOrg(staff, `/org?org=${orgId}`);
  assert.equal(await staffBox.isChecked(), true);
  assert.equal(await staffBox.isEnabled(), true, 'a staff admin may withdraw the consent');
  assert.equal(await staff.page.locator('#profile-open-data-hint').textContent(), 'Samtykket er organisasjonens eget. Som ansatt i kommunen kan du trekke det tilbake, men ikke gi det.');
  await assertAxe(staff.page, 'the consent, for a staff admin');
  assertClean(staff);
  await staff.close();

  // The editor sees the consent as it is, and may not change it.
  const e = await openPage(browser, origin);
  await acceptLink(e, linkIn(invitations[1].text), EDITOR.password);
  const ep = e.page;
  await ep.locator('#open-data').waitFor({ state: 'visible' });
  const editorBox = ep.getByRole('checkbox', { name: CONSENT });
  assert.equal(await editorBox.isChecked(), true, 'the editor sees the consent given');
  assert.equal(await editorBox.isDisabled(), true, 'and cannot change it');
  assert.equal(await ep.locator('#profile-open-data-hint').textContent(), 'Bare administratorene av organisasjonen kan endre dette.');
  for (const id of ['profile-fields', 'profile-save', 'profile-intro']) assert.equal(await ep.locator(`#${id}`).isHidden(), true, `#${id} is for admins`);
  assert.equal(await ep.locator('#members').isHidden(), true);
  assert.equal(await ep.locator('#profile-link').isVisible(), true, 'the section is in the page\'s links');
  await assertAxe(ep, 'the consent, read-only for an editor');
  await ep.setViewportSize({ width: 320, height: 640 });
  await assertAxe(ep, 'the consent, read-only for an editor, 320 px');
  assert.equal((await write(ep, 'PATCH', `/api/organisations/${orgId}`, { open_data: false })).status, 403, 'the server refuses an editor');
  assert.equal((await organisation(orgId)).open_data, true);
  // In English.
  await openOrg(e, '/org?lang=en');
  await ep.locator('#open-data').waitFor({ state: 'visible' });
  assert.equal(await ep.getByRole('checkbox', { name: 'Publish our activities as open data' }).isDisabled(), true);
  assert.equal(await ep.locator('#profile-open-data-hint').textContent(), 'Only the organisation\'s admins can change this.');
  assert.match(await ep.locator('#open-data').textContent(), /Not your contact details, and no personal data about your members\./);
  await assertAxe(ep, 'the consent, read-only, English');
  assertClean(e);
  await e.close();

  // A failed save is said in the focused error summary; the tick stays as chosen.
  await page.route('**/api/organisations/*', (route) => (route.request().method() === 'PATCH'
    ? route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"status":500,"detail":"boom"}' })
    : route.continue()));
  await tickAndSave(page);
  const errors = page.locator('#profile-errors');
  await errors.getByText('Serveren fikk det ikke til akkurat nå. Prøv igjen om litt.').waitFor();
  assert.equal(await errors.getAttribute('role'), 'alert');
  assert.equal(await focusedId(page), 'profile-errors', 'focus on the error summary');
  assert.equal(await status.textContent(), '', 'no success said');
  assert.equal(await box.isChecked(), false, 'the untick is kept');
  assert.equal((await organisation(orgId)).open_data, true, 'nothing was saved');
  await assertAxe(page, 'the consent, save failed');
  await page.unroute('**/api/organisations/*');

  // Unticked and saved: out of the feed, as a deleted item.
  await page.locator('#profile-save button[type="submit"]').focus();
  await page.keyboard.press('Enter');
  await status.getByText(`Opplysningene om ${ORG} er lagret. Aktivitetene deres er tatt ut av den åpne strømmen.`).waitFor();
  assert.equal(await errors.isHidden(), true, 'the error is gone');
  assert.equal((await organisation(orgId)).open_data, false);
  const gone = (await feed()).get(actId);
  assert.equal(gone?.state, 'deleted', 'the activity left the feed as a deleted item');
  assert.equal(gone.data, undefined);
  // Saving again without a change says only that the details are saved, and sends no consent
  // (a page loaded before another admin changed it would otherwise undo that).
  const again = page.waitForRequest((r) => r.method() === 'PATCH' && /\/api\/organisations\/\d+$/.test(r.url()));
  await page.keyboard.press('Enter');
  assert.equal('open_data' in (await again).postDataJSON(), false, 'no open_data when it was not changed');
  await status.getByText(`Opplysningene om ${ORG} er lagret.`, { exact: true }).waitFor();
  assertClean(a);
  await a.close();
});
