// The municipality staff's page (/admin, issue 14) as a staff admin uses it, on a real server
// that sends email to an SMTP server in this test: the first admin is made with the CLI, opens
// the emailed link and chooses a password, then on /admin creates an organisation (keyboard
// only), invites its first admin (the email arrives), renames it, merges a second one into it,
// makes an API token (shown once; it writes with Authorization: Bearer), revokes it (the same
// write is refused), makes the invited person a moderator, sets a library's opening hours by
// keyboard (an unreadable text is the field's error; a good one shows the week, which the
// residents' API then has) and that the organisation runs it («Drives av»), reads the audit
// log filtered by the organisation and by facilities, and finds the invitation in the outbox.
// The moderator then signs in and sees no admin controls. axe on every section and dialog,
// at 1280 and 320 px, in high contrast, in Bokmål and English; no request leaves the server.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/admin.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

import { REPO, axeViolations, openPage, screenshotPath } from './harness.mjs';
import { signInLink, startPortal, stopPortal } from './portal.mjs';

let server;
let browser;
let origin;
let smtp;

/** The sign-in link in an email's text, on this server's origin. */
const linkIn = (text) => signInLink(origin, text);

before(async () => ({ smtp, server, browser, origin } = await startPortal()));

after(() => stopPortal({ smtp, server, browser }));

// The link page has no icon (a favicon 404 after it); a signed-out /api/me is 401.
const FAVICON = /status of 404 \(Not Found\)/;
const SIGNED_OUT = [/HTTP 401/, /401 \(Unauthorized\)/];

function assertClean(p, { allowed = [] } = {}) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures.filter((f) => !allowed.some((re) => re.test(f))), [], 'failed requests');
  assert.deepEqual(p.errors.filter((f) => !allowed.some((re) => re.test(f))), [], `errors in the page (failed requests: ${p.failures.join(', ')})`);
}

async function assertAxe(page, what) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${what}`);
}

async function openAdmin(p, path = '/admin') {
  await p.page.goto(`${origin}${path}`);
  await p.page.waitForFunction(() => window.app?.ready);
  await p.page.evaluate(() => window.app.ready);
  if (await p.page.evaluate(() => window.app.view === null)) await p.page.waitForFunction(() => window.app.view);
}

/** Opens an emailed link, presses its button, chooses a password on /org. */
async function acceptLink(p, link, password) {
  await p.page.goto(link);
  await p.page.getByRole('button', { name: /Logg inn/ }).press('Enter');
  await p.page.waitForURL(/\/org\?account=password/);
  await p.page.waitForFunction(() => window.app?.view === 'password');
  await p.page.getByLabel('Nytt passord').fill(password);
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => window.app?.view === 'signed-in');
}

/** The live region says `text` (after the list shows the change). */
async function announced(page, text) {
  await page.waitForFunction((want) => document.getElementById('announcer')?.textContent === want, text);
}

/** Presses Tab until the focused element's accessible text is `text` (at most `max` times). */
async function tabTo(page, text, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const here = await page.evaluate(() => document.activeElement?.textContent?.trim());
    if (here === text) return;
  }
  assert.fail(`Tab never reached «${text}»`);
}

/** Presses "Vis endringene" and waits for the list it asked for (the button is disabled meanwhile). */
async function showAudit(page) {
  await page.getByRole('button', { name: 'Vis endringene' }).click();
  await page.waitForFunction(() => !document.getElementById('audit-show').disabled);
}

const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** A write with an API token: a new activity at the first facility. Resolves with the status. */
async function writeWith(token) {
  const fac = (await (await fetch(`${origin}/api/collections/facilities/items?limit=1`)).json()).features[0];
  const r = await fetch(`${origin}/api/collections/activities/items`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      title: 'Sjakk for alle', category: 'games_tech', age_min: 8, age_max: 99, price_nok: 0,
      place: { facility_id: fac.id }, schedule: { sessions: [{ weekday: 3, start: '18:00', end: '19:30' }] },
    }),
  });
  return r.status;
}

const ADMIN = { email: 'ada@drammen.kommune.no', name: 'Ada Admin', password: 'fire ord er lett å huske' };
const LEADER = { email: 'leder@stromso.example.no', name: 'Lise Leder', password: 'sju lange ord gjør et godt passord' };
const ORG = 'Strømsø Sjakklubb';
const RENAMED = 'Strømsø Sjakk- og Brettspillklubb';
const DOUBLE = 'Strømsø sjakk (dobbel)';

test('a staff admin keeps organisations, people, tokens, and reads the audit log and the outbox', async () => {
  // Signed out: the sign-in form, and a link to /org for sign-in links.
  const visitor = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  await openAdmin(visitor);
  assert.equal(await visitor.page.evaluate(() => window.app.view), 'signed-out');
  assert.equal(await visitor.page.locator('#signed-in').isHidden(), true);
  assert.equal(await visitor.page.getByRole('link', { name: /innloggingslenke/ }).getAttribute('href'), '/org');
  await assertAxe(visitor.page, 'signed out');
  assertClean(visitor, { allowed: SIGNED_OUT });
  await visitor.close();

  // The first admin from the CLI: the invitation email, a password, then /admin.
  const invitation = smtp.next(ADMIN.email);
  await promisify(execFile)(server.bin, ['--data', server.data, 'admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name]);
  const p = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  await p.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const { page } = p;
  await acceptLink(p, linkIn((await invitation).text), ADMIN.password);
  await openAdmin(p);
  assert.equal(await page.evaluate(() => window.app.view), 'admin');
  assert.match(await page.locator('#who-name').textContent(), /Ada Admin.*administrator i kommunen/);
  // The in-page navigation reaches every section.
  for (const name of ['Organisasjoner', 'Personer', 'API-nøkler', 'Endringslogg', 'Utgående e-post']) {
    const link = page.locator('.admin-sections').getByRole('link', { name, exact: true });
    const target = (await link.getAttribute('href')).slice(1);
    assert.equal(await page.locator(`#${target}`).textContent(), name);
  }
  await assertAxe(page, 'every section, 1280 px');
  await page.screenshot({ path: screenshotPath('admin-1280.png'), fullPage: true });

  // Keyboard only: a new organisation, first with a wrong website (the server's field error
  // beside the field), then right.
  await page.locator('body').focus();
  await tabTo(page, 'Organisasjoner');
  await page.keyboard.press('Enter');
  assert.equal(await focusedId(page), 'orgs-heading');
  await tabTo(page, 'Ny organisasjon');
  await page.keyboard.press('Enter');
  await page.locator('#org-dialog[open]').waitFor();
  assert.equal(await focusedId(page), 'org-name');
  await page.keyboard.type(ORG);
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'org-kind');
  await page.keyboard.type('Idr');
  assert.equal(await page.locator('#org-kind').inputValue(), 'sports_club');
  await page.keyboard.press('Tab');
  await page.keyboard.type('post@sjakk.example.no');
  await page.keyboard.press('Tab');
  await page.keyboard.type('www.sjakk.example.no');
  await page.keyboard.press('Enter');
  await page.locator('#org-website-error', { hasText: 'begynner med https://' }).waitFor();
  assert.equal(await focusedId(page), 'org-errors');
  assert.equal(await page.locator('#org-website').getAttribute('aria-invalid'), 'true');
  await assertAxe(page, 'organisation dialog with an error');
  await page.keyboard.press('Tab'); // the summary's link to the field
  await page.keyboard.press('Enter');
  assert.equal(await focusedId(page), 'org-website');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('https://sjakk.example.no');
  await page.keyboard.press('Enter');
  await page.locator('#org-dialog').waitFor({ state: 'hidden' });
  await announced(page, `Organisasjonen «${ORG}» er opprettet.`);
  const row = (name) => page.locator('#org-table tbody tr', { has: page.locator('th', { hasText: new RegExp(`^${name.replace(/[()]/g, '\\$&')}`) }) });
  await row(ORG).waitFor();
  assert.equal(await focusedText(page), `Endre ${ORG}`, 'focus on the new row');
  const orgId = await page.evaluate((name) => window.app.admin.orgs.find((o) => o.name === name).id, ORG);

  // Its first admin, invited by email.
  await row(ORG).getByRole('button', { name: `Medlemmer ${ORG}` }).click();
  await page.locator('#members-heading', { hasText: ORG }).waitFor();
  // Focus moves there once the members are loaded (slower on a busy machine).
  await page.waitForFunction(() => document.activeElement?.id === 'members-heading');
  await page.locator('#members').getByText('Ingen medlemmer ennå.').waitFor();
  const invite = page.locator('#invite-form');
  await invite.getByLabel('E-post', { exact: true }).fill(LEADER.email);
  await invite.getByLabel('Navn', { exact: true }).fill(LEADER.name);
  await invite.getByLabel('Rolle').selectOption('org_admin');
  await invite.getByLabel('Språk i e-posten').selectOption('nb');
  const leaderMail = smtp.next(LEADER.email);
  await invite.getByRole('button', { name: 'Send invitasjon' }).click();
  await announced(page, `Invitasjonen er sendt til ${LEADER.email}.`);
  const memberRow = page.locator('#member-table tbody tr', { hasText: LEADER.name });
  assert.match(await memberRow.textContent(), /Administrator.*Invitert, har ikke svart/);
  await assertAxe(page, 'members');
  const leaderLink = linkIn((await leaderMail).text);
  await page.getByRole('button', { name: 'Lukk medlemslisten' }).click();
  assert.equal(await focusedText(page), `Medlemmer ${ORG}`);

  // Renamed; the save button is disabled while its request runs (a second press sends nothing).
  let patches = 0;
  let release;
  const held = new Promise((ok) => { release = ok; });
  await page.route(`**/api/organisations/${orgId}`, async (route) => {
    if (route.request().method() === 'PATCH') {
      patches++;
      await held;
    }
    await route.continue();
  });
  await row(ORG).getByRole('button', { name: `Endre ${ORG}` }).click();
  await page.locator('#org-dialog[open]').waitFor();
  assert.equal(await page.locator('#org-name').inputValue(), ORG);
  await assertAxe(page, 'edit dialog');
  await page.locator('#org-name').fill(RENAMED);
  await page.locator('#org-save').click();
  await page.waitForFunction(() => document.getElementById('org-save').disabled);
  await page.locator('#org-form').evaluate((f) => f.requestSubmit());
  release();
  await page.locator('#org-dialog').waitFor({ state: 'hidden' });
  await announced(page, `Organisasjonen «${RENAMED}» er lagret.`);
  assert.equal(patches, 1, 'one PATCH for two presses');
  await page.unroute(`**/api/organisations/${orgId}`);
  await row(RENAMED).waitFor();
  assert.equal(await row(ORG).count(), 0);

  // A second one, merged into the first (a select, then a confirmation naming both).
  await page.getByRole('button', { name: 'Ny organisasjon' }).click();
  await page.locator('#org-name').fill(DOUBLE);
  await page.locator('#org-kind').selectOption('sports_club');
  await page.locator('#org-save').click();
  await row(DOUBLE).waitFor();
  await row(DOUBLE).getByRole('button', { name: `Slå sammen ${DOUBLE}` }).click();
  await page.locator('#merge-dialog[open]').waitFor();
  await assertAxe(page, 'merge dialog');
  await page.locator('#merge-next').click();
  await page.locator('#merge-into-error', { hasText: 'Velg organisasjonen' }).waitFor();
  await page.getByLabel('Slås sammen med').selectOption({ label: RENAMED });
  await page.locator('#merge-next').click();
  await page.locator('#confirm-dialog[open]').waitFor();
  const question = await page.locator('#confirm-dialog').textContent();
  assert.match(question, new RegExp(`«${DOUBLE.replace(/[()]/g, '\\$&')}».*«${RENAMED}»`));
  assert.match(question, /Aktivitetene, frivillighetsbehovene, medlemmene og API-nøklene/);
  assert.equal(await focusedText(page), 'Avbryt', 'the safe answer first');
  await assertAxe(page, 'merge confirmation');
  await page.locator('#confirm-dialog').screenshot({ path: screenshotPath('admin-merge-confirm.png') });
  await page.locator('#confirm-yes').click();
  await announced(page, `«${DOUBLE}» er slått sammen med «${RENAMED}».`);
  assert.equal(await row(DOUBLE).count(), 0);

  // Deactivate (the dialog says what it does), Escape keeps it as it was.
  await row(RENAMED).getByRole('button', { name: `Deaktiver ${RENAMED}` }).click();
  await page.locator('#confirm-dialog[open]').waitFor();
  assert.match(await page.locator('#confirm-text').textContent(), /forsvinner fra kartet.*kan ikke skrive/);
  await page.keyboard.press('Escape');
  await page.locator('#confirm-dialog').waitFor({ state: 'hidden' });
  assert.equal(await focusedText(page), `Deaktiver ${RENAMED}`, 'focus back on the opener');
  assert.match(await row(RENAMED).textContent(), /Aktiv/);

  // A token: shown once with a copy button; it writes; revoked, it does not.
  await page.getByRole('button', { name: 'Ny API-nøkkel' }).click();
  await page.locator('#token-dialog[open]').waitFor();
  await assertAxe(page, 'new token dialog');
  await page.locator('#token-dialog').getByLabel('Organisasjon').selectOption({ label: RENAMED });
  await page.locator('#token-dialog').getByLabel('Rolle').selectOption('editor');
  await page.locator('#token-dialog').getByLabel('Navn på nøkkelen').fill('klubbens nettside');
  await page.getByRole('button', { name: 'Lag nøkkelen' }).click();
  await page.locator('#token-shown[open]').waitFor();
  assert.match(await page.locator('#token-shown').textContent(), /vises ikke igjen/);
  const token = await page.locator('#token-value').inputValue();
  assert.match(token, /^\S{20,}$/);
  assert.equal(await focusedId(page), 'token-value');
  await assertAxe(page, 'token shown once');
  await page.locator('#token-shown').screenshot({ path: screenshotPath('admin-token-once.png') });
  await page.getByRole('button', { name: 'Kopier nøkkelen' }).click();
  await page.locator('#token-copy-status', { hasText: 'Nøkkelen er kopiert.' }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  await page.keyboard.press('Escape');
  await page.locator('#token-shown').waitFor({ state: 'hidden' });
  assert.equal(await focusedText(page), 'Ny API-nøkkel');
  assert.equal((await page.content()).includes(token), false, 'the token is gone from the page');
  const tokenRow = page.locator('#token-table tbody tr', { hasText: 'klubbens nettside' });
  assert.match(await tokenRow.textContent(), new RegExp(`${RENAMED}.*Redaktør.*Virker`));
  assert.equal(await writeWith(token), 201, 'the token writes');
  const tokenName = (await tokenRow.locator('th').textContent()).trim();
  await tokenRow.getByRole('button', { name: `Tilbakekall ${tokenName}` }).click();
  await page.locator('#confirm-dialog[open]').waitFor();
  await page.locator('#confirm-yes').press('Enter');
  await announced(page, `${tokenName} er tilbakekalt.`);
  assert.match(await tokenRow.textContent(), /Tilbakekalt/);
  assert.equal(await writeWith(token), 401, 'a revoked token is refused');

  // People: the invited leader becomes a moderator; one's own row offers no changes.
  const me = page.locator('#people-table tbody tr', { hasText: ADMIN.email });
  assert.equal(await me.getByRole('button').count(), 0);
  assert.match(await me.textContent(), /Dette er deg/);
  const leader = page.locator('#people-table tbody tr', { hasText: LEADER.email });
  await leader.getByLabel(`Rolle i kommunen for ${LEADER.name}`).selectOption('moderator');
  await leader.getByRole('button', { name: `Lagre rollen ${LEADER.name}` }).click();
  await announced(page, `Rollen til ${LEADER.name} er nå: Moderator.`);
  assert.match(await leader.textContent(), /Moderator/);
  assert.equal(await focusedText(page), `Lagre rollen ${LEADER.name}`, 'focus stays on the row');
  await page.getByRole('button', { name: 'Inviter en ansatt' }).click();
  await page.locator('#staff-dialog[open]').waitFor();
  await page.locator('#staff-email').fill(LEADER.email);
  await page.locator('#staff-name').fill(LEADER.name);
  await page.locator('#staff-send').click();
  await page.locator('#staff-email-error', { hasText: 'har allerede en konto' }).waitFor();
  await assertAxe(page, 'staff invitation with an error');
  await page.keyboard.press('Escape');

  // Opening hours (issue 18), keyboard only: find the library, an unreadable text is the field's
  // error, a good one is saved and shown as the week; the residents' API has it then.
  const LIBRARY = 'Deichman Grünerløkka';
  const HOURS = 'Mo-Fr 08:00-16:00; Sa 10:00-14:00; PH off';
  await page.locator('.admin-sections').getByRole('link', { name: 'Åpningstider og tjenester' }).press('Enter');
  assert.equal(await focusedId(page), 'hours-heading');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'hours-search');
  await page.keyboard.type(LIBRARY);
  await page.locator('#hours-options [role=option]', { hasText: LIBRARY }).waitFor();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.locator('#hours-facility-heading', { hasText: LIBRARY }).waitFor();
  assert.equal(await focusedId(page), 'hours-facility-heading');
  const libraryId = (await (await fetch(`${origin}/api/collections/facilities/items?q=${encodeURIComponent(LIBRARY)}`)).json()).features[0].id;
  assert.equal(await page.locator('#hours-oh').inputValue(), (await (await fetch(`${origin}/api/collections/facilities/items/${libraryId}`)).json()).properties.opening_hours ?? '');
  assert.equal(await page.locator('#hours-oh-hint a').getAttribute('href'), 'https://wiki.openstreetmap.org/wiki/Key:opening_hours');
  assert.equal(await page.locator('#hours-operator').inputValue(), '', '«Drives av»: Ingen');
  while (await focusedId(page) !== 'hours-oh') await page.keyboard.press('Tab');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('kl 10-14');
  await page.keyboard.press('Enter');
  await page.locator('#hours-oh-error', { hasText: 'Åpningstidene kan ikke leses' }).waitFor();
  assert.equal(await focusedId(page), 'hours-errors');
  assert.equal(await page.locator('#hours-oh').getAttribute('aria-invalid'), 'true');
  await assertAxe(page, 'opening hours with an error');
  await page.keyboard.press('Tab'); // the summary's link to the field
  await page.keyboard.press('Enter');
  assert.equal(await focusedId(page), 'hours-oh');
  await page.keyboard.press('Control+A');
  await page.keyboard.type(HOURS);
  // «Drives av» (typed to choose, as a select takes it), then «Lagre endringene».
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'hours-operator');
  await page.keyboard.type('Str');
  assert.equal(await page.locator('#hours-operator').inputValue(), String(orgId));
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'hours-save');
  await page.keyboard.press('Enter');
  await announced(page, `Endringene for «${LIBRARY}» er lagret.`);
  const saved = (await (await fetch(`${origin}/api/collections/facilities/items/${libraryId}`)).json()).properties;
  assert.equal(saved.opening_hours, HOURS, 'the residents\' API has the new hours');
  assert.equal(saved.operator_org, orgId, 'run by the organisation');
  assert.equal(await page.locator('#hours-operator').inputValue(), String(orgId));
  const shownWeek = await page.locator('#hours-week-table tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.date, tr.querySelector('.week-hours').textContent]));
  assert.deepEqual(shownWeek, saved.opening_hours_week.map((d) => [d.date,
    d.open.map(([a, b]) => `${a.replace(':', '.')}–${b.replace(':', '.')}`).join(', ') || 'Stengt']), 'the new week, as the API has it');
  assert.ok(shownWeek.some(([, hours]) => hours === '08.00–16.00'));
  assert.equal(await page.locator('#hours-oh').getAttribute('aria-invalid'), null);

  // The audit log for the organisation: made, renamed, its member, the merge, the token.
  await page.locator('#audit-form').getByLabel('Organisasjon').selectOption({ label: RENAMED });
  await showAudit(page);
  const audit = page.locator('#audit-table tbody tr');
  const lines = await audit.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('th, td')].slice(0, 4).map((c) => c.textContent.trim())));
  const has = (re) => lines.some((l) => re.test(l.join(' | ')));
  for (const l of lines) assert.match(l[0], /^\d{2}\.\d{2}\.\d{4} kl\. \d{2}\.\d{2}\.\d{2}$/, 'Oslo time, Norwegian format');
  assert.ok(has(new RegExp(`Ada Admin \\| Opprettet \\| Organisasjon «${ORG}»`)), lines.join('\n'));
  assert.ok(has(new RegExp(`Ada Admin \\| Endret \\| Organisasjon «${RENAMED}»`)), lines.join('\n'));
  assert.ok(has(new RegExp(`Ada Admin \\| Opprettet \\| Medlemskap ${LEADER.name} i «${RENAMED}»`)), lines.join('\n'));
  assert.ok(has(new RegExp(`Slått sammen med «${RENAMED}»`)), lines.join('\n'));
  assert.ok(has(/Opprettet \| API-nøkkel Nøkkel \d+: klubbens nettside/), lines.join('\n'));
  assert.ok(has(/Tilbakekalt \| API-nøkkel/), lines.join('\n'));
  assert.equal(has(/Bydelskoret/), false, 'only this organisation');
  // The rename's row (the merge added another "Endret" row for the organisation: what moved in).
  const rowTexts = await audit.evaluateAll((trs) => trs.map((tr) => tr.textContent));
  const at = rowTexts.findIndex((t) => t.includes('Endret') && t.includes(RENAMED) && t.includes(`nameFør: ${ORG}`));
  assert.ok(at >= 0, rowTexts.join('\n'));
  const renamed = audit.nth(at);
  await renamed.locator('summary').click();
  assert.match(await renamed.locator('dl').textContent(), new RegExp(`nameFør: ${ORG}Etter: ${RENAMED}`));
  await assertAxe(page, 'audit log with before and after');
  // By collection and person: the leader's new staff role.
  await page.locator('#audit-form').getByLabel('Organisasjon').selectOption('');
  await page.locator('#audit-form').getByLabel('Hva').selectOption('people');
  await page.locator('#audit-form').getByLabel('Hvem').selectOption({ label: `${ADMIN.name} (${ADMIN.email})` });
  await showAudit(page);
  await page.waitForFunction((name) => [...document.querySelectorAll('#audit-table tbody tr')]
    .some((tr) => tr.textContent.includes(name) && /staff_role.*moderator/.test(tr.querySelector('dl')?.textContent ?? '')), LEADER.name);
  // The library's hours, named and in words.
  await page.locator('#audit-form').getByLabel('Hva').selectOption('facilities');
  await showAudit(page);
  const hoursRows = await audit.evaluateAll((trs) => trs.map((tr) => tr.textContent));
  assert.equal(hoursRows.length, 1, hoursRows.join('\n'));
  assert.match(hoursRows[0], new RegExp(`Ada Admin.*Endret.*Anlegg «${LIBRARY}».*opening_hours.*Etter: ${HOURS}`));
  assert.match(hoursRows[0], new RegExp(`operator_org.*Etter: ${RENAMED}`), 'the organisation by name');

  // The outbox: the leader's invitation, sent.
  await page.getByRole('button', { name: 'Oppdater listen' }).click();
  await announced(page, 'Listen over utgående e-post er oppdatert.');
  const mail = page.locator('#outbox-table tbody tr', { hasText: LEADER.email }).first();
  assert.match(await mail.textContent(), /Invitasjon/);
  await page.waitForFunction(async (email) => {
    const r = await fetch('/api/outbox');
    return (await r.json()).messages.some((m) => m.recipient === email && m.state === 'sent');
  }, LEADER.email);
  await page.getByRole('button', { name: 'Oppdater listen' }).click();
  await page.locator('#outbox-table tbody tr', { hasText: LEADER.email }).filter({ hasText: 'Sendt' }).first().waitFor();
  await assertAxe(page, 'outbox');

  // 320 px: rows become cards, nothing scrolls sideways; the dialogs fit.
  await page.setViewportSize({ width: 320, height: 640 });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scrolling at 320 px');
  const cell = await page.locator('#org-table tbody td').first().evaluate((td) => ({ w: td.getBoundingClientRect().width, label: getComputedStyle(td, '::before').content }));
  assert.ok(cell.w > 200, `a cell uses the card's width (${cell.w} px)`);
  assert.notEqual(cell.label, 'none', 'the cell names its column');
  await assertAxe(page, '320 px');
  await page.screenshot({ path: screenshotPath('admin-320.png') });
  await row(RENAMED).getByRole('button', { name: `Endre ${RENAMED}` }).click();
  await page.locator('#org-dialog[open]').waitFor();
  assert.ok(await page.locator('#org-dialog').evaluate((d) => d.scrollWidth <= d.clientWidth + 1), 'the dialog fits 320 px');
  await assertAxe(page, 'dialog at 320 px');
  await page.keyboard.press('Escape');
  await page.setViewportSize({ width: 1280, height: 900 });

  // High contrast.
  await page.getByRole('button', { name: 'Høy kontrast' }).click();
  assert.ok(await page.evaluate(() => document.body.classList.contains('high-contrast')));
  await assertAxe(page, 'high contrast');
  await page.getByRole('button', { name: 'Høy kontrast' }).click();

  // English.
  await openAdmin(p, '/admin?lang=en');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  assert.equal(await page.locator('h1').textContent(), 'Organisations and users');
  await page.getByRole('button', { name: `Deactivate ${RENAMED}` }).click();
  await page.locator('#confirm-dialog[open]').waitFor();
  assert.match(await page.locator('#confirm-text').textContent(), /disappear from the map/);
  await assertAxe(page, 'English, confirmation');
  await page.locator('#confirm-yes').click();
  await announced(page, `“${RENAMED}” has been deactivated.`);
  assert.match(await row(RENAMED).textContent(), /Deactivated/);
  const visible = (await (await fetch(`${origin}/api/organisations`)).json()).organisations.map((o) => o.name);
  assert.equal(visible.includes(RENAMED), false, 'a deactivated organisation is not public');
  await assertAxe(page, 'English, every section');
  await page.getByRole('button', { name: `Reactivate ${RENAMED}` }).click();
  await page.locator('#confirm-yes').click();
  await announced(page, `“${RENAMED}” has been reactivated.`);

  assertClean(p, { allowed: [FAVICON, /HTTP 422/, /422 \(Unprocessable Entity\)/, /HTTP 401/, /401 \(Unauthorized\)/] });
  await p.close();

  // The leader, now a moderator, accepts the invitation: /admin shows the residents' proposals
  // and the participation codes, and no admin controls.
  const mod = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  await acceptLink(mod, leaderLink, LEADER.password);
  await openAdmin(mod);
  assert.equal(await mod.page.evaluate(() => window.app.view), 'moderator');
  assert.equal(await mod.page.getByRole('heading', { name: 'Forslag fra innbyggerne', exact: true }).count(), 1);
  assert.equal(await mod.page.getByRole('heading', { name: 'Deltakerkoder', exact: true }).count(), 1);
  assert.equal(await mod.page.getByRole('button', { name: 'Ny organisasjon' }).count(), 0);
  for (const hidden of ['Organisasjoner', 'Personer', 'API-nøkler', 'Utgående e-post']) {
    assert.equal(await mod.page.getByRole('heading', { name: hidden, exact: true }).count(), 0, `${hidden} is not shown to a moderator`);
  }
  await assertAxe(mod.page, 'moderator');
  // Signed out and in again on /admin's own form: still no admin controls.
  await mod.page.getByRole('button', { name: 'Logg ut' }).click();
  await mod.page.waitForFunction(() => window.app.view === 'signed-out');
  await mod.page.getByLabel('E-postadresse').fill(LEADER.email);
  await mod.page.getByLabel('Passord', { exact: true }).fill('not the password');
  await mod.page.keyboard.press('Enter');
  await mod.page.locator('#sign-in-errors', { hasText: 'E-postadressen eller passordet er feil.' }).waitFor();
  await mod.page.getByLabel('Passord', { exact: true }).fill(LEADER.password);
  await mod.page.keyboard.press('Enter');
  await mod.page.waitForFunction(() => window.app.view === 'moderator');
  await mod.page.screenshot({ path: screenshotPath('admin-moderator.png') });
  const refused = await mod.page.evaluate(async () => (await fetch('/api/people')).status);
  assert.equal(refused, 403, 'the server agrees');
  assertClean(mod, { allowed: [FAVICON, ...SIGNED_OUT, /HTTP 403/, /403 \(Forbidden\)/] });
  await mod.close();
});

test('the staff page\'s language files have the same keys, and languages.json names them', () => {
  const keys = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => (
    v && typeof v === 'object' && !['one', 'other'].some((f) => f in v)
      ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
  const read = (f) => JSON.parse(readFileSync(join(REPO, 'web/i18n/admin', f), 'utf8'));
  const languages = read('languages.json');
  for (const code of ['nb', 'en']) {
    assert.ok(code in languages);
    assert.deepEqual(keys(read(`${code}.json`)).sort(), keys(read('nb.json')).sort(), `${code}.json`);
  }
});
