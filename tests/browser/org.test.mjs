// The organisations' page (/org, issue 14) as its people use it, on a real server that sends
// email to an SMTP server in this test: the first admin is made with the CLI and opens the
// printed link, chooses a password, invites a member to a demo organisation; the member gets
// the invitation by email, chooses a password, adds an activity with two weekly sessions at a
// facility (shown in the public API); a resident offers help on one of the organisation's
// needs; the member gets that by email, sees it in the offers inbox and marks it contacted.
// Also: a wrong password says nothing about whether the address exists, a write without the
// CSRF token is refused, axe on every step (and at 320 px), and no request leaves the server.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/org.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

import { axeViolations, launchBrowser, openPage, screenshotPath, startServer } from './harness.mjs';

let server;
let browser;
let origin;
let smtp;

/** Quoted-printable (RFC 2045) to text. */
function fromQuotedPrintable(s) {
  const bytes = [];
  const text = s.replace(/=\r?\n/g, '');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '=' && /^[0-9A-F]{2}$/i.test(text.slice(i + 1, i + 3))) {
      bytes.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(text[i], 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** The text of a message: its body decoded by its Content-Transfer-Encoding (one part). */
function decodeMessage(raw) {
  const at = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, at);
  const body = raw.slice(at).replace(/^\r?\n\r?\n/, '');
  if (/content-transfer-encoding:\s*base64/i.test(head)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  // Quoted-printable, or 7bit / 8bit (which decoding leaves as they are, but for a stray "=XX").
  return /content-transfer-encoding:\s*quoted-printable/i.test(raw) ? fromQuotedPrintable(body) : body;
}

/** A minimal SMTP server: keeps every message; `next(to)` resolves with the next one to `to`. */
function startSmtp() {
  const mails = [];
  const waiting = [];
  const deliver = (mail) => {
    mails.push(mail);
    for (const w of [...waiting]) {
      if (w.match(mail)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.ok(mail);
      }
    }
  };
  const srv = createServer((socket) => {
    socket.setEncoding('utf8');
    socket.write('220 test SMTP\r\n');
    let buffer = '';
    let data = null;
    let to = [];
    socket.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        if (data !== null) {
          if (line === '.') {
            const raw = data.join('\r\n');
            deliver({ to, raw, text: decodeMessage(raw) });
            data = null;
            to = [];
            socket.write('250 OK queued\r\n');
          } else data.push(line.startsWith('..') ? line.slice(1) : line);
          continue;
        }
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO' || cmd === 'HELO') socket.write('250 test\r\n');
        else if (cmd === 'MAIL') socket.write('250 OK\r\n');
        else if (cmd === 'RCPT') {
          to.push(/<([^>]*)>/.exec(line)?.[1] ?? '');
          socket.write('250 OK\r\n');
        } else if (cmd === 'DATA') {
          data = [];
          socket.write('354 go on\r\n');
        } else if (cmd === 'QUIT') {
          socket.end('221 bye\r\n');
        } else if (cmd === 'RSET' || cmd === 'NOOP') socket.write('250 OK\r\n');
        else socket.write('502 not here\r\n');
      }
    });
    socket.on('error', () => {});
  });
  return new Promise((ok) => srv.listen(0, '127.0.0.1', () => ok({
    port: srv.address().port,
    mails,
    /** The first message to `address` (after `skip` earlier ones), as soon as it comes. */
    next(address, skip = 0) {
      const match = (m) => m.to.includes(address);
      const seen = mails.filter(match);
      if (seen.length > skip) return Promise.resolve(seen[skip]);
      let count = seen.length;
      return new Promise((resolve) => waiting.push({ match: (m) => match(m) && count++ >= skip, ok: resolve }));
    },
    close: () => new Promise((done) => srv.close(done)),
  })));
}

/** The sign-in link in a text, on this server's origin. */
function linkIn(text) {
  const m = /https?:\/\/[^\s/]+(\/auth\/link\/[0-9a-f]{64})/.exec(text);
  assert.ok(m, `a sign-in link in:\n${text}`);
  return `${origin}${m[1]}`;
}

before(async () => {
  smtp = await startSmtp();
  server = await startServer({ extraArgs: ['--smtp-url', `smtp://127.0.0.1:${smtp.port}`] });
  origin = server.url;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
});

// The server's one-button link page (GET /auth/link/…) has no <link rel="icon">, so Chromium
// asks for /favicon.ico (404) after it: a console line only, on pages that used a link.
const FAVICON = /status of 404 \(Not Found\)/;

function assertClean(p, { allowed = [] } = {}) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures.filter((f) => !allowed.some((re) => re.test(f))), [], 'failed requests');
  assert.deepEqual(p.errors.filter((f) => !allowed.some((re) => re.test(f))), [], `errors in the page (requests that failed: ${p.failures.join(', ')})`);
}

async function assertAxe(page, what) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${what}`);
}

/** Opens /org (or a path) and waits for the page to have decided what to show. */
async function openOrg(p, path = '/org') {
  await p.page.goto(`${origin}${path}`);
  await p.page.waitForFunction(() => window.app?.ready);
  await p.page.evaluate(() => window.app.ready);
}

/** Uses a sign-in link as a person does: opens it, presses its one button, lands on /org. */
async function useLink(p, link) {
  await p.page.goto(link);
  await p.page.getByRole('button', { name: /Logg inn/ }).press('Enter');
  await p.page.waitForURL(/\/org\?account=password/);
  await p.page.waitForFunction(() => window.app?.view === 'password');
}

/** Chooses a password on the set-password step (keyboard only). */
async function choosePassword(p, password) {
  await p.page.getByLabel('Nytt passord').fill(password);
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => window.app?.view === 'signed-in');
  await p.page.getByText('Passordet er lagret.').waitFor();
}

const ADMIN = { email: 'admin@example.no', name: 'Ada Admin', password: 'fire ord er lett å huske' };
const MEMBER = { email: 'kasserer@example.no', name: 'Kari Kasserer', password: 'fotball på tirsdager kl 17' };
const ORG_NAME = 'Frivilligsentralen (eksempel)';

test('from the first admin to an answered offer of help', async () => {
  // Signed out: the sign-in forms, and a wrong password that says nothing about the address.
  const visitor = await openPage(browser, origin);
  await openOrg(visitor);
  assert.equal(await visitor.page.evaluate(() => window.app.view), 'signed-out');
  await assertAxe(visitor.page, 'signed out');
  const wrongAnswer = async (email) => {
    await visitor.page.getByLabel('E-postadresse').first().fill(email);
    await visitor.page.getByLabel('Passord', { exact: true }).fill('not the password at all');
    await visitor.page.keyboard.press('Enter');
    const alert = visitor.page.locator('#sign-in-errors');
    await alert.getByText('E-postadressen eller passordet er feil.').waitFor();
    return alert.textContent();
  };

  // The first admin, made with the CLI, opens the printed link and chooses a password.
  const { stdout } = await promisify(execFile)(server.bin, ['--data', server.data, 'admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name]);
  assert.equal(await wrongAnswer(ADMIN.email), await wrongAnswer('nobody@example.no'));
  await assertAxe(visitor.page, 'signed out, wrong password');
  await visitor.page.screenshot({ path: screenshotPath('org-signed-out.png') });
  assertClean(visitor, { allowed: [/\/auth\/sign-in: HTTP 401/, /401 \(Unauthorized\)/, /\/api\/me: HTTP 401/] });
  await visitor.close();

  const admin = await openPage(browser, origin);
  await useLink(admin, linkIn(stdout));
  await assertAxe(admin.page, 'set password');
  await admin.page.getByLabel('Nytt passord').fill('for kort');
  await admin.page.keyboard.press('Enter');
  await admin.page.locator('#password-errors').getByText('minst 12 tegn').waitFor();
  await assertAxe(admin.page, 'set password with an error');
  await choosePassword(admin, ADMIN.password);
  assert.match(await admin.page.locator('#who-name').textContent(), /Ada Admin/);

  // The admin picks a demo organisation and invites its treasurer.
  await admin.page.getByLabel('Organisasjon').selectOption({ label: ORG_NAME });
  await admin.page.locator('#members-heading').waitFor({ state: 'visible' });
  await admin.page.locator('#member-list').waitFor();
  await assertAxe(admin.page, 'members');
  await admin.page.getByLabel('E-post', { exact: true }).fill(MEMBER.email);
  await admin.page.getByLabel('Navn', { exact: true }).fill(MEMBER.name);
  await admin.page.getByLabel('Rolle').selectOption('editor');
  const invitation = smtp.next(MEMBER.email);
  await admin.page.getByRole('button', { name: 'Send invitasjon' }).press('Enter');
  await admin.page.getByText(`Invitasjonen er sendt til ${MEMBER.email}.`).waitFor();
  await admin.page.locator('#member-list').getByText(MEMBER.name).waitFor();
  const orgId = await admin.page.evaluate(() => window.app.page.org);
  assertClean(admin, { allowed: [FAVICON, /\/api\/me: HTTP 401/, /401 \(Unauthorized\)/, /\/auth\/password: HTTP 422/, /422/] });
  await admin.close();

  // The treasurer opens the emailed link and chooses a password.
  const member = await openPage(browser, origin);
  await useLink(member, linkIn((await invitation).text));
  await choosePassword(member, MEMBER.password);
  const { page } = member;
  assert.match(await page.locator('#org-name').textContent(), new RegExp(ORG_NAME.replace(/[()]/g, '\\$&')));
  assert.equal(await page.locator('#org-pick').isHidden(), true, 'one organisation: no picker');

  // A write without the CSRF token is refused, with it the same session may write.
  const refused = await page.evaluate(async (org) => (await fetch('/api/collections/activities/items', {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ org_id: org, title: 'Uten token', category: 'sport', price_nok: 0, place: { facility_id: 4 }, schedule: { sessions: [{ weekday: 1, start: '10:00', end: '11:00' }] } }),
  })).status, orgId);
  assert.equal(refused, 403);

  // A new activity: first with mistakes (the server's field errors beside the fields) …
  const form = page.locator('#activity-form');
  await page.getByRole('button', { name: 'Ny aktivitet' }).press('Enter');
  await page.locator('#activity-editor-heading').waitFor({ state: 'visible' });
  assert.equal(await page.evaluate(() => document.activeElement.id), 'activity-editor-heading');
  await form.getByLabel('Tittel', { exact: true }).fill('F');
  await form.getByLabel('Pris i kroner').fill('-5');
  await form.getByLabel('Søk i anleggene').fill('Deichman Tøyen');
  await form.getByLabel('Anlegg', { exact: true }).selectOption({ index: 1 });
  await page.locator('#sched-rows .session').first().getByLabel('Til kl.').fill('16:00');
  await form.getByRole('button', { name: 'Lagre' }).press('Enter');
  await page.locator('#activity-errors').getByText('Rett opp 3 feil:').waitFor();
  assert.equal(await page.locator('#act-title-error').textContent(), 'Skriv en tittel på 3–120 tegn.');
  assert.equal(await page.locator('#act-title').getAttribute('aria-invalid'), 'true');
  assert.match(await page.locator('#act-title').getAttribute('aria-describedby'), /act-title-error/);
  assert.equal(await page.locator('#act-price-error').textContent(), 'Pris må være fra 0 (gratis) til 100 000 kroner.');
  assert.ok(await page.locator('#sched-rows .session').first().locator('.field-error:not([hidden])').count());
  await assertAxe(page, 'activity form with errors');
  await page.locator('#activity-editor').screenshot({ path: screenshotPath('org-activity-errors.png') });

  // … then right: two weekly sessions at a facility.
  const title = 'Fotballtrening for 10–12 år';
  await form.getByLabel('Tittel', { exact: true }).fill(title);
  await form.getByLabel('Kategori').selectOption('sport');
  await form.getByLabel('Alder fra').fill('10');
  await form.getByLabel('Alder til').fill('12');
  await form.getByLabel('Pris i kroner').fill('0');
  const first = page.locator('#sched-rows .session').nth(0);
  await first.getByLabel('Ukedag').selectOption('2');
  await first.getByLabel('Fra kl.').fill('17:00');
  await first.getByLabel('Til kl.').fill('18:30');
  await form.getByRole('button', { name: 'Legg til en økt' }).press('Enter');
  const second = page.locator('#sched-rows .session').nth(1);
  assert.equal(await page.evaluate(() => document.activeElement.closest('.session')?.querySelector('.session-title')?.textContent), 'Økt 2');
  await second.getByLabel('Ukedag').selectOption('4');
  await second.getByLabel('Fra kl.').fill('18:00');
  await second.getByLabel('Til kl.').fill('19:30');
  await form.getByLabel('Unntak (dato uten aktivitet)').fill('2027-02-23');
  await form.getByRole('button', { name: 'Legg til unntaket' }).press('Enter');
  await form.getByRole('button', { name: 'Lagre' }).press('Enter');
  await page.getByText(`«${title}» er lagt inn og vises på kartet.`).waitFor();
  await page.locator('#activity-list h3', { hasText: title }).waitFor();

  const publicList = await (await fetch(`${origin}/api/collections/activities/items?org=${orgId}&limit=1000`)).json();
  const mine = publicList.features.find((f) => f.properties.title === title);
  assert.ok(mine, 'the new activity is in the public API');
  assert.deepEqual(mine.properties.schedule.sessions, [
    { weekday: 2, start: '17:00', end: '18:30' }, { weekday: 4, start: '18:00', end: '19:30' }]);
  assert.deepEqual(mine.properties.schedule.exceptions, ['2027-02-23']);
  assert.equal(mine.properties.place.facility_id, mine.properties.facility.id);
  assert.match(mine.properties.facility.name, /Deichman.*Tøyen/);
  assert.equal(mine.properties.age_min, 10);

  // A resident offers help on one of the organisation's needs; the member hears of it by email.
  const needs = await (await fetch(`${origin}/api/collections/volunteer-needs/items?org=${orgId}`)).json();
  assert.ok(needs.features.length, 'the demo organisation has a need');
  const need = needs.features[0];
  const offered = smtp.next(MEMBER.email, 1);
  const r = await fetch(`${origin}/api/collections/volunteer-needs/items/${need.id}/offers`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name: 'Ola Nordmann', contact: 'ola@example.no', message: 'Jeg kan hjelpe på tirsdager.' }),
  });
  assert.ok(r.status === 201 || r.status === 202, `offer: HTTP ${r.status}`);
  const offerMail = await offered;
  assert.match(offerMail.text, /Ola Nordmann/);

  // The offers inbox: the offer, marked contacted.
  const toggle = page.getByRole('button', { name: `Tilbud om hjelp ${need.properties.title}` });
  await toggle.press('Enter');
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  const offer = page.locator(`#offers-${need.id} li.offer`, { hasText: 'Ola Nordmann' });
  await offer.waitFor();
  assert.match(await offer.textContent(), /ola@example\.no/);
  assert.match(await offer.textContent(), /Status: nytt/);
  await assertAxe(page, 'offers inbox');
  await offer.getByRole('button', { name: 'Kontaktet Ola Nordmann' }).press('Enter');
  await offer.getByText('Status: kontaktet').waitFor();
  const states = await page.evaluate(async (id) => (await (await fetch(`/api/collections/volunteer-needs/items/${id}/offers`)).json()).offers.map((o) => o.state), need.id);
  assert.deepEqual(states, ['contacted']);

  // 320 px wide: everything reflows without sideways scrolling, and axe is still clean.
  await page.setViewportSize({ width: 320, height: 640 });
  await page.getByRole('button', { name: 'Ny aktivitet' }).press('Enter');
  await page.locator('#activity-editor-heading').waitFor({ state: 'visible' });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scrolling at 320 px');
  await assertAxe(page, '320 px');
  await page.screenshot({ path: screenshotPath('org-320.png') });
  assertClean(member, { allowed: [FAVICON, /HTTP 422/, /422 \(Unprocessable Entity\)/, /HTTP 403/, /403 \(Forbidden\)/] });
  await member.close();
});

// After the first test (the member exists, with one activity of their own).
test('a member signs in, edits (and meets a stale version), copies, deletes, places on the map, keeps needs', async () => {
  const p = await openPage(browser, origin);
  const { page } = p;
  await openOrg(p);
  await page.getByLabel('E-postadresse').first().fill(MEMBER.email);
  await page.getByLabel('Passord', { exact: true }).fill(MEMBER.password);
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.app.view === 'signed-in');
  await page.locator('#activity-list li').first().waitFor();
  const title = 'Fotballtrening for 10–12 år';
  const form = page.locator('#activity-form');

  // Edit; meanwhile someone else saves: 412, the form shows their version, the next save wins.
  await page.getByRole('button', { name: `Endre ${title}` }).press('Enter');
  await page.locator('#activity-editor-heading', { hasText: 'Endre' }).waitFor();
  const id = Number(await page.locator('#activity-list li', { hasText: title }).getAttribute('data-id'));
  const other = await page.evaluate(async (id) => {
    const me = await (await fetch('/api/me')).json();
    const r = await fetch(`/api/collections/activities/items/${id}`);
    return (await fetch(`/api/collections/activities/items/${id}`, {
      method: 'PATCH', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf, 'If-Match': r.headers.get('ETag') },
      body: JSON.stringify({ description: 'Endret av en annen.' }),
    })).status;
  }, id);
  assert.equal(other, 200);
  await form.getByLabel('Alder til').fill('13');
  await form.getByRole('button', { name: 'Lagre' }).press('Enter');
  await page.locator('#activity-editor-note', { hasText: 'Noen andre har endret aktiviteten' }).waitFor();
  assert.equal(await form.getByLabel('Beskrivelse').inputValue(), 'Endret av en annen.');
  assert.equal(await form.getByLabel('Alder til').inputValue(), '12');
  assert.equal(await page.locator('#sched-rows .session').count(), 2, 'the schedule editor shows both sessions');
  await form.getByLabel('Alder til').fill('13');
  await form.getByRole('button', { name: 'Lagre' }).press('Enter');
  await page.getByText(`Endringene i «${title}» er lagret.`).waitFor();
  const saved = await (await fetch(`${origin}/api/collections/activities/items/${id}`)).json();
  assert.equal(saved.properties.age_max, 13);
  assert.equal(saved.properties.description, 'Endret av en annen.');

  // Copy, then delete the copy (a confirmation dialog; focus comes back to the list).
  await page.getByRole('button', { name: `Kopier ${title}` }).press('Enter');
  await page.locator('#activity-editor-heading', { hasText: 'kopi av' }).waitFor();
  await form.getByRole('button', { name: 'Lagre' }).press('Enter');
  const copy = `${title} (kopi)`;
  await page.locator('#activity-list h3', { hasText: copy }).waitFor();
  await page.getByRole('button', { name: `Slett ${copy}` }).press('Enter');
  await page.locator('#confirm-dialog[open]').waitFor();
  await page.locator('#confirm-yes').press('Enter');
  await page.locator('#activity-list h3', { hasText: copy }).waitFor({ state: 'detached' });

  // A point on the map, by keyboard: the map's centre.
  await page.getByRole('button', { name: 'Ny aktivitet' }).press('Enter');
  await form.getByLabel('Tittel', { exact: true }).fill('Språkkafé i parken');
  await form.getByLabel('Kategori').selectOption('language_cafe');
  await form.getByLabel('Et punkt på kartet').check();
  await page.waitForFunction(() => window.app?.map && window.app.idle);
  await page.evaluate(() => window.app.idle());
  await form.getByRole('button', { name: 'Bruk midten av kartet' }).press('Enter');
  assert.match(await form.getByLabel('Valgt punkt').inputValue(), /° N/);
  await assertAxe(page, 'activity form with the map');
  await form.getByRole('button', { name: 'Lagre' }).press('Enter');
  await page.locator('#activity-list h3', { hasText: 'Språkkafé i parken' }).waitFor();

  // Needs: a new one, extended by 30 days, then closed.
  await page.getByRole('button', { name: 'Nytt behov' }).press('Enter');
  const needForm = page.locator('#need-form');
  await needForm.getByLabel('Tittel').fill('Kakebaker til basaren');
  await needForm.getByLabel('Søk i anleggene').fill('Deichman');
  await needForm.getByLabel('Anlegg', { exact: true }).selectOption({ index: 1 });
  await needForm.getByLabel('Tidsbruk').fill('Én kake, én lørdag');
  await needForm.getByLabel('Ferdigheter').fill('baking, kaker');
  await needForm.getByRole('button', { name: 'Lagre' }).press('Enter');
  const card = page.locator('#need-list li.item', { hasText: 'Kakebaker til basaren' });
  await card.waitFor();
  const before = await card.locator('dd').first().textContent();
  await card.getByRole('button', { name: 'Forleng 30 dager Kakebaker til basaren' }).press('Enter');
  await page.getByText(/«Kakebaker til basaren» gjelder nå til/).waitFor();
  assert.notEqual(await card.locator('dd').first().textContent(), before);
  await card.getByRole('button', { name: 'Lukk behovet Kakebaker til basaren' }).press('Enter');
  await page.locator('#confirm-yes').press('Enter');
  await card.waitFor({ state: 'detached' });

  // English and high contrast.
  await openOrg(p, '/org?lang=en');
  assert.equal(await page.locator('h1').textContent(), 'Activities and volunteering – for clubs and organisations');
  await page.getByRole('button', { name: 'High contrast' }).press('Enter');
  assert.ok(await page.evaluate(() => document.body.classList.contains('high-contrast')));
  await assertAxe(page, 'English, high contrast');
  await page.getByRole('button', { name: 'Sign out' }).press('Enter');
  await page.waitForFunction(() => window.app.view === 'signed-out');
  assertClean(p, { allowed: [/HTTP 401/, /401 \(Unauthorized\)/, /HTTP 412/, /412 \(Precondition Failed\)/] });
  await p.close();
});
