// Medvirkning (issue 15, docs/PARTICIPATION.md) end to end, on a real server that sends email
// to an SMTP server in this test, the way the people would:
//   a staff admin makes a batch of participation codes in /admin by keyboard and reads them
//   from the sheet shown once (print stylesheet, copy) → invites a moderator → a pupil on `/`
//   proposes a ballbinge with code 1 and an email, by keyboard only (through the API when the
//   residents' form is not on the page yet) → confirms the email from the link in the SMTP
//   message → the moderator publishes it in /admin (a moderator sees only the proposals, the
//   codes and what the server lets them read) → it is in the public collection with its
//   kommunedel and homes within 10 minutes → supports with codes 2, 3 and 4, code 2 again
//   refused (409), a used-up code refused (403) → the moderator answers "planned" in /admin
//   (after someone else's change: the 409 is said and the second try goes through) → the
//   answer arrives by email.
// Then a privacy crawl: no public endpoint, tile or search holds the email, a code, or the
// text of a proposal still waiting in the queue. axe on the moderation and code views in
// Bokmål and English, at 320 px and in high contrast.
//
//   NAERMILJO_BIN=target/debug/naermiljo node --test tests/browser/participation.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

import { axeViolations, openPage, screenshotPath, settle } from './harness.mjs';
import { startPortal, stopPortal } from './portal.mjs';

let server;
let browser;
let origin;
let smtp;

before(async () => ({ smtp, server, browser, origin } = await startPortal()));

after(() => stopPortal({ smtp, server, browser }));

const ADMIN = { email: 'ada@drammen.kommune.no', name: 'Ada Admin', password: 'fire ord er lett å huske' };
const MODERATOR = { email: 'mona@drammen.kommune.no', name: 'Mona Moderator', password: 'moderatoren leser hvert forslag' };
const PUPIL_EMAIL = 'elev.7b@skole.example.no';
const LABEL = '7B Fjell skole';
const BALLBINGE = {
  category: 'pitch',
  title: 'Ballbinge ved Birkelunden',
  text: 'Vi i 7B ønsker oss en ballbinge her, så vi kan spille fotball etter skolen.',
};
const BENCHES = {
  category: 'meeting_place',
  title: 'Benker og tak ved lekeplassen',
  text: 'Et sted å sitte når det regner, for foreldre og ungdom om kvelden.',
};
// Still pending when the crawl runs: none of it may be public.
const SECRET = {
  category: 'paths_lighting',
  // The phone number in the title and in the text: the server flags it in both, the card once.
  title: 'Lys på stien bak Hjelms gate, ring 912 34 567',
  text: 'Stien er mørk om vinteren. Ring meg på 912 34 567 hvis dere vil vite mer, hilsen Kari Nordmann.',
  edited: 'Stien er mørk om vinteren og trenger lys langs hele strekningen.',
};
const ANSWER = 'Bydelen har satt av penger til en ballbinge ved Birkelunden neste sommer. Takk for forslaget!';

// The link page has no icon (a favicon 404 after it); a signed-out /api/me is 401; the 409
// is the stale answer this test provokes on purpose.
const ALLOWED = [/status of 404 \(Not Found\)/, /HTTP 401/, /401 \(Unauthorized\)/, /HTTP 409/, /409 \(Conflict\)/];

function assertClean(p, allowed = ALLOWED) {
  assert.deepEqual(p.foreign(), [], 'requests to another origin');
  assert.deepEqual(p.failures.filter((f) => !allowed.some((re) => re.test(f))), [], 'failed requests');
  assert.deepEqual(p.errors.filter((f) => !allowed.some((re) => re.test(f))), [], `errors in the page (failed requests: ${p.failures.join(', ')})`);
}

async function assertAxe(page, what) {
  assert.deepEqual(await axeViolations(page), [], `axe: ${what}`);
}

function signInLink(text) {
  const m = /https?:\/\/[^\s/]+(\/auth\/link\/[0-9a-f]{64})/.exec(text);
  assert.ok(m, `a sign-in link in:\n${text}`);
  return `${origin}${m[1]}`;
}

function confirmLink(text) {
  const m = /https?:\/\/[^\s/]+(\/delta\/bekreft\/[A-Za-z0-9_-]+)/.exec(text);
  assert.ok(m, `a confirmation link in:\n${text}`);
  return `${origin}${m[1]}`;
}

/** RFC 2047 encoded words in a header, decoded. */
function decodeHeader(v) {
  return v.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (m, enc, s) => (enc.toLowerCase() === 'b'
    ? Buffer.from(s, 'base64').toString('utf8')
    : Buffer.from(s.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (x, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8')));
}

function subjectOf(mail) {
  const head = mail.raw.slice(0, mail.raw.search(/\r?\n\r?\n/));
  const m = /^subject:(.*(?:\r?\n[ \t].*)*)/im.exec(head);
  return m ? decodeHeader(m[1].replace(/\r?\n[ \t]/g, ' ').trim()) : '';
}

/** The first message to `to` whose text passes `match`, waiting up to `ms`. */
async function waitMail(to, match, ms = 60_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const m = smtp.mails.find((x) => x.to.includes(to) && match(x));
    if (m) return m;
    await new Promise((ok) => setTimeout(ok, 200));
  }
  assert.fail(`no email to ${to} that matches within ${ms / 1000} s; got ${smtp.mails.filter((x) => x.to.includes(to)).map((x) => x.text.slice(0, 200)).join('\n---\n')}`);
}

async function openAdmin(p, path = '/admin') {
  await p.page.goto(`${origin}${path}`);
  await p.page.waitForFunction(() => window.app?.view != null && window.app.view !== undefined);
}

/** Opens an emailed sign-in link, presses its button, chooses a password on /org. */
async function acceptLink(p, link, password) {
  await p.page.goto(link);
  await p.page.getByRole('button', { name: /Logg inn/ }).press('Enter');
  await p.page.waitForURL(/\/org\?account=password/);
  await p.page.waitForFunction(() => window.app?.view === 'password');
  await p.page.getByLabel('Nytt passord').fill(password);
  await p.page.keyboard.press('Enter');
  await p.page.waitForFunction(() => window.app?.view === 'signed-in');
}

/** The live region says `text`. */
async function announced(page, text) {
  await page.waitForFunction((want) => document.getElementById('announcer')?.textContent === want, text);
}

/** A number as the page writes it in Bokmål (spaces for the thin ones). */
const nbNumber = (n) => new Intl.NumberFormat('nb-NO').format(n).replace(/\s/g, ' ');

const focusedText = (page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const focusedId = (page) => page.evaluate(() => document.activeElement?.id ?? '');

/** Presses Tab until the focused element's text is `text`. */
async function tabTo(page, text, max = 120) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await focusedText(page) === text) return;
  }
  assert.fail(`Tab never reached «${text}»`);
}

/** Presses Tab until the element with id `id` has the focus. */
async function tabToId(page, id, max = 80) {
  for (let i = 0; i < max; i++) {
    if (await focusedId(page) === id) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached #${id} (at #${await focusedId(page)})`);
}

/** A staff request from a signed-in page (its session cookie and CSRF token). */
function staffApi(page, method, path, body) {
  return page.evaluate(async ({ method, path, body }) => {
    const me = await (await fetch('/api/me')).json();
    const r = await fetch(path, {
      method,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf, Accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let data = null;
    try { data = JSON.parse(text); } catch { data = text; }
    return { status: r.status, data };
  }, { method, path, body });
}

async function get(path) {
  const r = await fetch(`${origin}${path}`);
  return { status: r.status, type: r.headers.get('content-type') ?? '', body: Buffer.from(await r.arrayBuffer()) };
}

async function getJson(path) {
  const r = await fetch(`${origin}${path}`);
  assert.equal(r.status, 200, path);
  return r.json();
}

async function propose(body) {
  const r = await fetch(`${origin}/api/proposals`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  return { status: r.status, data: await r.json().catch(() => null) };
}

async function support(id, code) {
  const r = await fetch(`${origin}/api/proposals/${id}/supports`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ code }),
  });
  return { status: r.status, data: await r.json().catch(() => null) };
}

/** The staff's view of one proposal. */
async function moderationView(page, id) {
  const { status, data } = await staffApi(page, 'GET', '/api/moderation/proposals?state=all');
  assert.equal(status, 200);
  return data.proposals.find((x) => x.id === id);
}

/** The tile (z, x, y) that holds a point. */
function tileOf(lon, lat, z) {
  const n = 2 ** z;
  const r = (lat * Math.PI) / 180;
  return [Math.floor(((lon + 180) / 360) * n), Math.floor(((1 - Math.log(Math.tan(r) + 1 / Math.cos(r)) / Math.PI) / 2) * n)];
}

/** A card's locator in the moderation list, by its title. */
const card = (page, title) => page.locator('#proposal-list li.proposal', { has: page.locator('h3', { hasText: title }) });

/** Chooses a state in the filter and shows the list (keyboard). */
async function showState(page, state) {
  await page.locator('#proposal-state').selectOption(state);
  await page.locator('#proposal-show').press('Enter');
  await page.waitForFunction(() => !document.getElementById('proposal-show').disabled);
}

test('codes from /admin → a pupil proposes → moderated, supported, answered by email; nothing private is public', async (t) => {
  // The first admin from the CLI: the invitation email, a password, then /admin.
  const invitation = smtp.next(ADMIN.email);
  await promisify(execFile)(server.bin, ['--data', server.data, 'admin', 'create', '--email', ADMIN.email, '--name', ADMIN.name]);
  const a = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  await a.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const { page } = a;
  await acceptLink(a, signInLink((await invitation).text), ADMIN.password);
  await openAdmin(a);
  assert.equal(await page.evaluate(() => window.app.view), 'admin');
  for (const name of ['Forslag', 'Deltakerkoder']) {
    const link = page.locator('.admin-sections').getByRole('link', { name, exact: true });
    assert.equal(await link.isVisible(), true, name);
  }
  await page.locator('#proposal-list').getByText('Ingen forslag venter på behandling.').waitFor();
  await page.locator('#batch-list').getByText('Ingen koder er laget ennå.').waitFor();

  // A moderator, invited on the page.
  const modInvite = smtp.next(MODERATOR.email);
  await page.getByRole('button', { name: 'Inviter en ansatt' }).click();
  await page.locator('#staff-email').fill(MODERATOR.email);
  await page.locator('#staff-name').fill(MODERATOR.name);
  await page.locator('#staff-role').selectOption('moderator');
  await page.locator('#staff-send').click();
  await announced(page, `Invitasjonen er sendt til ${MODERATOR.email}.`);

  // Keyboard only: four codes.
  await page.locator('body').focus();
  await tabTo(page, 'Deltakerkoder');
  await page.keyboard.press('Enter');
  assert.equal(await focusedId(page), 'codes-heading');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'codes-label');
  await page.keyboard.type(LABEL);
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'codes-count');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('0');
  await page.keyboard.press('Enter');
  // Checked before sending: the error beside the field and in the focused summary.
  await page.locator('#codes-count-error', { hasText: 'fra 1 til 200' }).waitFor();
  assert.equal(await focusedId(page), 'codes-errors');
  await assertAxe(page, 'code form with an error');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  assert.equal(await focusedId(page), 'codes-count');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('4');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'codes-proposals');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('1');
  await page.keyboard.press('Tab');
  assert.equal(await focusedId(page), 'codes-supports');
  // Two supports each: a second support of the same proposal is then a repeat, not a used-up code.
  await page.keyboard.press('Control+A');
  await page.keyboard.type('2');
  await page.keyboard.press('Enter');
  await page.locator('#code-sheet').waitFor({ state: 'visible' });
  await announced(page, `4 koder er laget for «${LABEL}». De vises bare nå.`);
  assert.equal(await focusedId(page), 'code-sheet-heading');
  const codes = (await page.locator('#code-list li .slip-code').allTextContents()).map((c) => c.trim());
  assert.equal(codes.length, 4);
  assert.equal(new Set(codes).size, 4, 'four different codes');
  // Each code a slip to cut out, that says on its own where to go and what to press.
  const slips = await page.locator('#code-list li').allTextContents();
  assert.equal(slips.length, 4);
  slips.forEach((slip, i) => {
    assert.ok(slip.includes(codes[i]), `slip ${i + 1} has its code`);
    assert.ok(slip.includes(`Gå til ${origin}/`), `slip ${i + 1} says where to go: ${slip}`);
    assert.ok(slip.includes('«Foreslå noe her»'), `slip ${i + 1} says what to press: ${slip}`);
    assert.match(slip, /Gyldig til og med \d{1,2}\. \p{L}+ \d{4}\./u, `slip ${i + 1} says until when`);
  });
  assert.match(await page.locator('#code-list li .slip-code').first().evaluate((c) => getComputedStyle(c).fontFamily), /mono/i);
  const sheet = await page.locator('#code-sheet').textContent();
  assert.match(sheet, /vises bare nå.*kan ikke vises igjen/);
  assert.ok(sheet.includes(LABEL), 'the label on the sheet');
  assert.ok(sheet.includes(`Gå til ${origin}/`), 'where to go');
  assert.match(sheet, /«Foreslå noe her».*Du trenger ikke oppgi navn\./);
  const { data: { batches } } = await staffApi(page, 'GET', '/api/participation/batches');
  const batch = batches.find((b) => b.label === LABEL);
  assert.ok(batch, 'the batch is listed by the API');
  assert.match(sheet, /Gyldig til og med \d{1,2}\. \p{L}+ \d{4}\./u);
  const batchRow = page.locator('#batch-table tbody tr', { hasText: LABEL });
  assert.match(await batchRow.textContent(), new RegExp(`${batch.count}.*0 av ${batch.count * batch.proposals} forslag, 0 av ${batch.count * batch.supports} støtter`));
  await assertAxe(page, 'codes shown once, nb');
  await page.locator('#codes').screenshot({ path: screenshotPath('participation-codes.png') });

  // Copy: every code, one a line, with the label.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  assert.equal(await focusedText(page), 'Kopier kodene');
  await page.keyboard.press('Enter');
  await page.locator('#codes-copy-status', { hasText: 'Kodene er kopiert.' }).waitFor();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.ok(copied.includes(LABEL));
  for (const c of codes) assert.ok(copied.split('\n').includes(c), `${c} on a line of its own`);

  // Print: the button asks the browser to print; the print stylesheet keeps only the sheet.
  await page.evaluate(() => { window.printed = 0; window.print = () => { window.printed++; }; });
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focusedText(page), 'Skriv ut');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => window.printed), 1);
  await page.emulateMedia({ media: 'print' });
  for (const sel of ['.site-header', '#proposals', '#codes-form', '#batch-table', '#codes-print', '.code-sheet .warning', '.site-footer', '#orgs']) {
    assert.equal(await page.locator(sel).first().isVisible(), false, `${sel} is not printed`);
  }
  for (const sel of ['#code-print', '#code-list']) assert.equal(await page.locator(sel).isVisible(), true, `${sel} is printed`);
  // On paper: each slip a dashed box, never split over two pages, two a row; the code big.
  const printed = await page.locator('#code-list li').evaluateAll((lis) => lis.map((li) => {
    const css = getComputedStyle(li);
    const r = li.getBoundingClientRect();
    return {
      border: css.borderTopStyle, breakInside: css.breakInside, display: css.display, top: Math.round(r.top), left: Math.round(r.left),
      code: parseFloat(getComputedStyle(li.querySelector('.slip-code')).fontSize), help: parseFloat(getComputedStyle(li.querySelector('.slip-help')).fontSize),
    };
  }));
  for (const [i, x] of printed.entries()) {
    assert.equal(x.border, 'dashed', `slip ${i + 1} is a box to cut out`);
    assert.equal(x.breakInside, 'avoid', `slip ${i + 1} is not split over pages`);
    assert.equal(x.display, 'inline-block', `slip ${i + 1} is one piece (an inline block)`);
    assert.ok(x.code > 2 * x.help, `slip ${i + 1}: the code big (${x.code} px), the text small (${x.help} px)`);
  }
  assert.equal(printed[0].top, printed[1].top, 'two slips a row');
  assert.ok(printed[1].left > printed[0].left);
  assert.ok(printed[2].top > printed[0].top);
  await page.screenshot({ path: screenshotPath('participation-codes-print.png') });
  await page.emulateMedia({ media: 'screen' });

  // The moderator: only the proposals, the codes (and the audit log when the server allows it).
  const m = await openPage(browser, origin, { viewport: { width: 1280, height: 900 } });
  const mp = m.page;
  await acceptLink(m, signInLink((await modInvite).text), MODERATOR.password);
  await openAdmin(m);
  assert.equal(await mp.evaluate(() => window.app.view), 'moderator');
  assert.match(await mp.locator('#who-name').textContent(), /Mona Moderator.*moderator i kommunen/);
  for (const id of ['proposals', 'codes']) assert.equal(await mp.locator(`#${id}`).isVisible(), true, id);
  for (const id of ['orgs', 'people', 'tokens', 'outbox']) assert.equal(await mp.locator(`#${id}`).isVisible(), false, id);
  const auditStatus = (await staffApi(mp, 'GET', '/api/audit?limit=1')).status;
  assert.equal(await mp.locator('#audit').isVisible(), auditStatus === 200, `the audit log is shown when the server answers it (${auditStatus})`);
  if (auditStatus !== 200) t.diagnostic(`GET /api/audit answers a moderator ${auditStatus}: the page leaves the audit log out`);
  assert.equal(await mp.getByRole('button', { name: 'Ny organisasjon' }).isVisible(), false);
  await mp.locator('#batch-table tbody tr', { hasText: LABEL }).waitFor();
  assert.equal((await mp.content()).includes(codes[0]), false, 'the codes are not shown again');
  await assertAxe(mp, 'moderator, nb');

  // The pupil: a place from the address search, then the proposal with code 1 and an email.
  const pupil = await openPage(browser, origin, { viewport: { width: 1280, height: 800 } });
  const pp = pupil.page;
  await pp.goto(`${origin}/`);
  await settle(pp);
  let proposalId;
  const hasForm = await pp.locator('#propose-open').count() > 0;
  const confirmMail = smtp.next(PUPIL_EMAIL);
  if (hasForm) {
    await pp.keyboard.press('Tab');
    await pp.keyboard.press('Enter');
    assert.equal(await focusedId(pp), 'address');
    await pp.keyboard.type('thorvald meyers gate 10');
    await pp.waitForSelector('#address-options [role=option]', { state: 'visible' });
    await pp.keyboard.press('ArrowDown');
    await pp.keyboard.press('Enter');
    await pp.waitForFunction(() => window.app.reach);
    await pp.waitForFunction(() => !document.getElementById('propose-open')?.disabled);
    await tabToId(pp, 'propose-open');
    await pp.keyboard.press('Enter');
    await pp.locator('#proposal-dialog[open]').waitFor();
    await tabToId(pp, 'proposal-category');
    // A select by keyboard: its options by arrow until the ballbinge.
    for (let i = 0; i < 40 && await pp.locator('#proposal-category').inputValue() !== BALLBINGE.category; i++) await pp.keyboard.press('ArrowDown');
    assert.equal(await pp.locator('#proposal-category').inputValue(), BALLBINGE.category);
    await tabToId(pp, 'proposal-title');
    await pp.keyboard.type(BALLBINGE.title);
    await tabToId(pp, 'proposal-text');
    await pp.keyboard.type(BALLBINGE.text);
    await tabToId(pp, 'proposal-code');
    await pp.keyboard.type(codes[0]);
    await tabToId(pp, 'proposal-email');
    await pp.keyboard.type(PUPIL_EMAIL);
    await tabToId(pp, 'proposal-submit');
    await pp.keyboard.press('Enter');
    await pp.waitForFunction(() => document.getElementById('proposal-result')?.textContent.trim());
    await assertAxe(pp, 'residents\' proposal sent');
    const { data } = await staffApi(mp, 'GET', '/api/moderation/proposals?state=pending');
    proposalId = data.proposals.find((x) => x.title === BALLBINGE.title)?.id;
    assert.ok(proposalId, 'the pupil\'s proposal waits in the queue');
    t.diagnostic('the pupil proposed through the residents\' form on / (keyboard only)');
  } else {
    t.diagnostic('the residents\' form (#propose-open) is not on / yet: the pupil\'s proposal is made through POST /api/proposals');
    const where = await getJson('/api/addresses/search?q=thorvald%20meyers%20gate%2010&limit=1');
    const [lon, lat] = where.features[0].geometry.coordinates;
    const r = await propose({ ...BALLBINGE, lon, lat, lang: 'nb', code: codes[0], email: PUPIL_EMAIL });
    assert.equal(r.status, 201, JSON.stringify(r.data));
    assert.equal(r.data.state, 'pending');
    assert.equal(r.data.email_confirmation, true);
    proposalId = r.data.id;
  }

  // The email is confirmed by the link's page and its button (a scanner's GET confirms nothing).
  const link = confirmLink((await confirmMail).text);
  await pp.goto(link);
  assert.equal(await pp.locator('#confirm-result').count(), 0, 'opening the link confirms nothing');
  const confirm = pp.getByRole('button', { name: /Bekreft/ });
  await confirm.focus();
  await pp.keyboard.press('Enter');
  await pp.locator('#confirm-result').waitFor();
  assert.match(await pp.locator('#confirm-result').textContent(), /Takk/);

  // Two more: one to publish beside it, one that stays in the queue (with a phone number).
  const a0 = await moderationView(mp, proposalId);
  const near = (d) => ({ lon: a0.lon + d, lat: a0.lat + d / 2 });
  const benches = await propose({ ...BENCHES, ...near(0.0015), lang: 'nb', code: codes[3] });
  assert.equal(benches.status, 201, JSON.stringify(benches.data));
  const secret = await propose({ category: SECRET.category, title: SECRET.title, text: SECRET.text, ...near(-0.001), lang: 'nb', code: codes[2] });
  assert.equal(secret.status, 201, JSON.stringify(secret.data));
  // Code 1 has made its one proposal: a second is refused, and nothing is stored.
  const again = await propose({ ...BALLBINGE, title: 'En til ballbinge', lon: a0.lon, lat: a0.lat, lang: 'nb', code: codes[0] });
  assert.equal(again.status, 403, 'a code whose proposals are used up');

  // The moderator's queue: all three, the flags first and loud, the pupil's details.
  await showState(mp, 'pending');
  await card(mp, SECRET.title).waitFor();
  const queue = (await staffApi(mp, 'GET', '/api/moderation/proposals?state=pending')).data.proposals;
  assert.equal(await mp.locator('#proposal-list li.proposal').count(), queue.length);
  assert.match(await mp.locator('#proposals-count').textContent(), new RegExp(`^${queue.length} forslag venter på behandling\\.$`));
  const secretView = queue.find((x) => x.id === secret.data.id);
  assert.ok(secretView.flags.length > 0, `the phone number and the name are flagged: ${JSON.stringify(secretView.flags)}`);
  const flagsText = await card(mp, SECRET.title).locator('.flags').textContent();
  assert.match(flagsText, /^Kan inneholde personopplysninger:/);
  const kinds = { phone: 'telefonnummer', email: 'e-postadresse', name: 'navn' };
  for (const f of secretView.flags) assert.ok(flagsText.includes(`${kinds[f.kind]} «${f.text}»`), `${f.kind} «${f.text}» in ${flagsText}`);
  // Each (kind, text) once, even when the title and the text both hold it.
  const flagItems = (await card(mp, SECRET.title).locator('.flags li').allTextContents()).map((x) => x.trim());
  assert.equal(new Set(flagItems).size, flagItems.length, `no flag twice: ${JSON.stringify(flagItems)}`);
  assert.equal(flagItems.length, new Set(secretView.flags.map((f) => `${f.kind}\u0000${f.text}`)).size, 'every flag the server found');
  assert.equal(flagItems.filter((x) => x.includes('912 34 567')).length, 1, 'the phone number once');
  t.diagnostic(`the server flagged ${secretView.flags.length} (kind, text), the card shows ${flagItems.length}`);
  const ballCard = card(mp, BALLBINGE.title);
  const ballText = await ballCard.textContent();
  const a1 = queue.find((x) => x.id === proposalId);
  assert.ok(ballText.includes(BALLBINGE.text));
  assert.match(ballText, /KategoriBallbinge \/ ballbane/);
  assert.ok(ballText.includes(`Deltakerkode fra «${LABEL}»`));
  assert.match(ballText, /Svar på e-postJa/);
  assert.equal(ballText.includes(PUPIL_EMAIL), false, 'never the address');
  if (a1.kommunedel?.name) {
    // Named by its level's own word (a bydel in Oslo), as the API says.
    const levels = { kommunedel: 'kommunedel', bydel: 'bydel', delomrade: 'delområde', grunnkrets: 'grunnkrets', postcode: 'postnummerområde' };
    const word = levels[a1.kommunedel.level];
    assert.ok(word, `the API gives the kommunedel's level: ${JSON.stringify(a1.kommunedel)}`);
    assert.ok(ballText.includes(`${word} ${a1.kommunedel.name}`), `its ${a1.kommunedel.level} in ${ballText}`);
    if (word !== 'kommunedel') assert.equal(ballText.includes(`kommunedel ${a1.kommunedel.name}`), false, 'not called a kommunedel');
  }
  if (a1.catchment) {
    const plain = ballText.replace(/\s/g, ' ');
    assert.ok(plain.includes(`Innen 10 minutters gange${nbNumber(a1.catchment.homes)} bolig`), `its homes within 10 minutes: ${plain}`);
  }
  await assertAxe(mp, 'moderation queue, nb');
  await mp.locator('#proposals').screenshot({ path: screenshotPath('participation-queue.png') });

  // Keyboard: publish the ballbinge; focus moves on to the proposal that took its place.
  const order = (await mp.locator('#proposal-list li.proposal').evaluateAll((lis) => lis.map((li) => Number(li.dataset.id))));
  await mp.locator('#proposals-heading').focus();
  await tabTo(mp, `Publiser ${BALLBINGE.title}`);
  await mp.keyboard.press('Enter');
  await mp.locator('#confirm-dialog[open]').waitFor();
  assert.match(await mp.locator('#confirm-dialog').textContent(), /synlig for alle på kartet/);
  assert.equal(await focusedText(mp), 'Avbryt', 'the safe answer first');
  await mp.keyboard.press('Shift+Tab');
  assert.equal(await focusedId(mp), 'confirm-yes');
  await mp.keyboard.press('Enter');
  await announced(mp, `«${BALLBINGE.title}» er publisert.`);
  assert.equal(await ballCard.count(), 0, 'it left the queue');
  const rest = order.filter((id) => id !== proposalId);
  const next = rest[Math.min(order.indexOf(proposalId), rest.length - 1)];
  assert.equal(await focusedId(mp), `proposal-${next}-title`, 'focus on the next proposal');

  // The benches too; the secret one is edited (the phone number and the name out) and stays.
  await card(mp, BENCHES.title).getByRole('button', { name: `Publiser ${BENCHES.title}` }).click();
  await mp.locator('#confirm-yes').click();
  await announced(mp, `«${BENCHES.title}» er publisert.`);
  await card(mp, SECRET.title).getByRole('button', { name: `Rediger ${SECRET.title}` }).click();
  await mp.locator('#mod-edit-dialog[open]').waitFor();
  assert.match(await mp.locator('#mod-edit-dialog').textContent(), /loggført/);
  assert.equal(await focusedId(mp), 'mod-edit-text');
  await assertAxe(mp, 'edit dialog, nb');
  await mp.keyboard.press('Control+A');
  await mp.keyboard.type('kort');
  await mp.locator('#mod-edit-submit').click();
  await mp.locator('#mod-edit-text-error', { hasText: '10–2000 tegn' }).waitFor();
  await mp.locator('#mod-edit-text').fill(SECRET.edited);
  await mp.locator('#mod-edit-submit').press('Enter');
  await announced(mp, `«${SECRET.title}» er endret. Endringen er loggført.`);
  assert.equal(await focusedText(mp), `Rediger ${SECRET.title}`, 'focus back on the same button');
  assert.ok((await card(mp, SECRET.title).textContent()).includes(SECRET.edited));

  // Public: the ballbinge with its kommunedel and the homes within 10 minutes' walk.
  const pub = await getJson('/api/collections/proposals/items');
  const ball = pub.features.find((f) => f.properties.id === proposalId);
  assert.ok(ball, 'published proposals are public');
  assert.equal(ball.properties.category, 'pitch');
  assert.equal(ball.properties.status, 'received');
  assert.ok(ball.properties.kommunedel?.name, `a kommunedel: ${JSON.stringify(ball.properties.kommunedel)}`);
  assert.ok(ball.properties.catchment?.homes > 0, `homes within 10 minutes: ${JSON.stringify(ball.properties.catchment)}`);
  assert.equal(ball.properties.catchment.minutes, 10);
  assert.equal(pub.features.some((f) => f.properties.id === secret.data.id), false, 'the pending one is not');
  const inKommunedel = await getJson(`/api/collections/proposals/items?district=${encodeURIComponent(ball.properties.kommunedel.id)}`);
  assert.ok(inKommunedel.features.some((f) => f.properties.id === proposalId), 'in its kommunedel\'s list');

  // Supports with codes 2, 3 and 4; code 2 again is a repeat; a used-up code is refused.
  const before = ball.properties.supports;
  for (const [i, code] of [codes[1], codes[2], codes[3]].entries()) {
    const r = await support(proposalId, code);
    assert.equal(r.status, 201, `support with code ${i + 2}: ${JSON.stringify(r.data)}`);
    assert.equal(r.data.supports, before + i + 1);
  }
  assert.equal((await support(proposalId, codes[1])).status, 409, 'code 2 supports it already');
  // A code with one support: used on the benches, it is used up for the ballbinge.
  const extra = await staffApi(page, 'POST', '/api/participation/batches', {
    label: 'Nærutvalgsmøtet', count: 1, proposals: 0, supports: 1, expires: batch.expires,
  });
  assert.equal(extra.status, 201, JSON.stringify(extra.data));
  const [once] = extra.data.codes;
  assert.equal((await support(benches.data.id, once)).status, 201);
  assert.equal((await support(proposalId, once)).status, 403, 'a used-up code');
  assert.equal((await support(proposalId, 'AAAA-BBBB-CC')).status, 403, 'an unknown code');
  const after3 = (await getJson(`/api/collections/proposals/items/${proposalId}`)).properties.supports;
  assert.equal(after3, before + 3);
  const used = (await staffApi(page, 'GET', '/api/participation/batches')).data.batches.find((b) => b.id === batch.id);
  assert.equal(used.supports_used, 3);
  assert.equal(used.proposals_used, 3);

  // The moderator answers "planned" — after someone else changed the proposal meanwhile.
  await showState(mp, 'published');
  const pubCard = card(mp, BALLBINGE.title);
  await pubCard.waitFor();
  assert.match(await pubCard.textContent(), new RegExp(`Støtter${after3}`));
  await pubCard.getByRole('button', { name: `Svar ${BALLBINGE.title}` }).press('Enter');
  await mp.locator('#mod-answer-dialog[open]').waitFor();
  assert.match(await mp.locator('#mod-answer-intro').textContent(), /offentlig.*e-post til forslagsstilleren/);
  assert.equal(await focusedId(mp), 'mod-answer-status');
  for (let i = 0; i < 5 && await mp.locator('#mod-answer-status').inputValue() !== 'planned'; i++) await mp.keyboard.press('ArrowDown');
  assert.equal(await mp.locator('#mod-answer-status').inputValue(), 'planned');
  await mp.keyboard.press('Tab');
  assert.equal(await focusedId(mp), 'mod-answer-text');
  await mp.keyboard.type(ANSWER);
  const current = await moderationView(page, proposalId);
  const changed = await staffApi(page, 'POST', `/api/moderation/proposals/${proposalId}`, {
    action: 'edit', title: current.title, text: `${current.text} Fotball og basket.`, version: current.version,
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.data));
  await tabToId(mp, 'mod-answer-submit');
  await mp.keyboard.press('Enter');
  await mp.locator('#mod-answer-errors', { hasText: 'Noen andre endret forslaget' }).waitFor();
  assert.equal(await focusedId(mp), 'mod-answer-errors');
  assert.equal(await mp.locator('#mod-answer-text').inputValue(), ANSWER, 'what was typed stays');
  await assertAxe(mp, 'answer dialog after a 409');
  await tabToId(mp, 'mod-answer-submit');
  await mp.keyboard.press('Enter');
  await announced(mp, `Svaret på «${BALLBINGE.title}» er sendt. Status: Planlagt.`);
  assert.equal(await focusedText(mp), `Svar ${BALLBINGE.title}`);
  assert.match(await pubCard.textContent(), /Status på kartetPlanlagt/);
  assert.ok((await pubCard.locator('.answers').textContent()).includes(ANSWER));
  const answered = await getJson(`/api/collections/proposals/items/${proposalId}`);
  assert.equal(answered.properties.status, 'planned');
  assert.ok(answered.properties.answers.some((x) => x.status === 'planned' && x.answer === ANSWER));

  // The answer by email.
  const mail = await waitMail(PUPIL_EMAIL, (x) => x.text.includes(ANSWER));
  assert.match(subjectOf(mail), /planlagt/i, `subject: ${subjectOf(mail)}`);
  assert.ok(mail.text.includes(BALLBINGE.title));

  // Privacy: no public answer holds the email, a code or the pending proposal's words.
  const secrets = [PUPIL_EMAIL, ...codes, once, SECRET.title, SECRET.text, SECRET.edited, '912 34 567', 'Kari Nordmann'];
  const crawled = [];
  const check = async (path) => {
    const r = await get(path);
    crawled.push(`${r.status} ${path}`);
    const text = r.body.toString('utf8');
    for (const s of secrets) assert.equal(text.includes(s), false, `${path} holds «${s}»`);
    return r;
  };
  const { collections } = await getJson('/api/collections');
  assert.ok(collections.some((c) => c.id === 'proposals'), 'a proposals collection');
  await check('/api');
  await check('/api/collections');
  await check('/api/openapi.json');
  await check('/api/conformance');
  for (const c of collections) {
    await check(`/api/collections/${c.id}`);
    await check(`/api/collections/${c.id}/items`);
    await check(`/api/collections/${c.id}/items?f=csv`);
  }
  const csv = await check(`/api/collections/proposals/items?f=csv&district=${encodeURIComponent(ball.properties.kommunedel.id)}`);
  assert.equal(csv.status, 200);
  assert.ok(csv.body.toString('utf8').includes(BALLBINGE.title), 'the nærutvalg\'s CSV has the ballbinge');
  await check(`/api/collections/proposals/items?status=planned,received&sort=-published`);
  await check(`/api/collections/proposals/items/${proposalId}`);
  await check(`/api/collections/proposals/items/${benches.data.id}`);
  assert.equal((await check(`/api/collections/proposals/items/${secret.data.id}`)).status, 404, 'a pending proposal is not found');
  const [x, y] = tileOf(ball.geometry.coordinates[0], ball.geometry.coordinates[1], 14);
  let titleInTile = false;
  for (let dx = -1; dx <= 1; dx++) {
    for (let dy = -1; dy <= 1; dy++) {
      const r = await check(`/tiles/proposals/14/${x + dx}/${y + dy}.mvt`);
      if (r.body.includes(Buffer.from(BALLBINGE.title))) titleInTile = true;
    }
  }
  assert.ok(titleInTile, 'the published ballbinge is in its tile (so the tiles were worth searching)');
  await check('/tiles/proposals.json');
  const [lon, lat] = ball.geometry.coordinates;
  await check(`/api/reach?lon=${lon}&lat=${lat}&minutes=15`);
  await check(`/api/reach?lon=${lon}&lat=${lat}&minutes=10&kind=pitch`);
  for (const q of ['thorvald meyers gate', 'Hjelms gate', SECRET.title, PUPIL_EMAIL, codes[0], 'Lys på stien']) {
    await check(`/api/addresses/search?q=${encodeURIComponent(q)}`);
  }
  await check(`/api/districts/${encodeURIComponent(ball.properties.kommunedel.id)}/profile`);
  await check(`/api/districts/${encodeURIComponent(ball.properties.district.id)}/profile`);
  await check('/api/coverage?kind=pitch&minutes=10');
  await check('/api/coverage/gaps?kind=pitch&minutes=10');
  await check('/');
  await check('/embed');
  t.diagnostic(`crawled ${crawled.length} public answers: ${crawled.filter((c) => !c.startsWith('200')).join(', ') || 'all 200'}`);

  // The same ballbinge proposed again (code 2 still has a proposal): merged into the first.
  const dup = await propose({ category: 'pitch', title: 'Ballbinge i Birkelunden', text: 'En ballbinge i parken ville vært fint for alle barna her.', lon: a0.lon, lat: a0.lat, lang: 'nb', code: codes[1] });
  assert.equal(dup.status, 201, JSON.stringify(dup.data));
  await showState(mp, 'pending');
  await card(mp, 'Ballbinge i Birkelunden').getByRole('button', { name: 'Slå sammen Ballbinge i Birkelunden' }).press('Enter');
  await mp.locator('#mod-merge-dialog[open]').waitFor();
  assert.equal(await focusedId(mp), 'mod-merge-into');
  await mp.locator('#mod-merge-submit').press('Enter');
  await mp.locator('#mod-merge-into-error', { hasText: 'Velg forslaget' }).waitFor();
  await assertAxe(mp, 'merge dialog with an error');
  await mp.locator('#mod-merge-into').selectOption(String(proposalId));
  await mp.locator('#mod-merge-submit').press('Enter');
  await announced(mp, `«Ballbinge i Birkelunden» er slått sammen med forslag nr. ${proposalId}.`);
  const merged = await moderationView(mp, dup.data.id);
  assert.equal(merged.state, 'merged');
  assert.equal(merged.merged_into, proposalId);
  assert.ok((await getJson(`/api/collections/proposals/items/${proposalId}`)).properties.supports >= after3, 'supports summed, each participant once');

  // The benches rejected with a reason: off the map.
  await showState(mp, 'published');
  await card(mp, BENCHES.title).getByRole('button', { name: `Avvis ${BENCHES.title}` }).press('Enter');
  await mp.locator('#mod-reject-dialog[open]').waitFor();
  assert.match(await mp.locator('#mod-reject-intro').textContent(), /forsvinner fra kartet.*Begrunnelsen vises for forslagsstilleren/);
  await mp.locator('#mod-reject-submit').press('Enter');
  await mp.locator('#mod-reject-reason-error', { hasText: 'Skriv hvorfor' }).waitFor();
  assert.equal(await focusedId(mp), 'mod-reject-errors');
  await assertAxe(mp, 'reject dialog with an error');
  await mp.locator('#mod-reject-reason').fill('Det samme er foreslått før, ved Sofienbergparken.');
  await mp.locator('#mod-reject-submit').press('Enter');
  await announced(mp, `«${BENCHES.title}» er avvist.`);
  assert.equal(await card(mp, BENCHES.title).count(), 0);
  assert.equal((await get(`/api/collections/proposals/items/${benches.data.id}`)).status, 404, 'a rejected proposal is not public');
  await showState(mp, 'rejected');
  assert.ok((await card(mp, BENCHES.title).textContent()).includes('Det samme er foreslått før'));

  // English, 320 px, high contrast: the moderation and code views.
  await openAdmin(m, '/admin?lang=en');
  assert.equal(await mp.evaluate(() => document.documentElement.lang), 'en');
  await showState(mp, 'all');
  const enCard = card(mp, BALLBINGE.title);
  await enCard.waitFor();
  assert.equal(await enCard.locator('h3 [lang="nb"]').textContent(), BALLBINGE.title, 'the resident\'s words are marked as Norwegian');
  assert.equal(await enCard.locator('.proposal-text').getAttribute('lang'), 'nb');
  assert.equal(await enCard.locator('.answer-text').first().getAttribute('lang'), 'nb');
  assert.match(await enCard.textContent(), /Status on the mapPlanned/);
  await assertAxe(mp, 'moderation and codes, en');
  await enCard.getByRole('button', { name: `Answer ${BALLBINGE.title}` }).click();
  await mp.locator('#mod-answer-dialog[open]').waitFor();
  await assertAxe(mp, 'answer dialog, en');
  await mp.keyboard.press('Escape');
  assert.equal(await focusedText(mp), `Answer ${BALLBINGE.title}`, 'focus back on the opener');
  await mp.setViewportSize({ width: 320, height: 640 });
  assert.ok(await mp.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scrolling at 320 px (en)');
  await assertAxe(mp, '320 px, en');
  await mp.locator('#proposals').screenshot({ path: screenshotPath('participation-queue-320-en.png') });
  await mp.getByRole('button', { name: 'High contrast' }).click();
  assert.ok(await mp.evaluate(() => document.body.classList.contains('high-contrast')));
  await assertAxe(mp, 'high contrast, 320 px, en');

  await openAdmin(a, '/admin?contrast=high');
  await page.setViewportSize({ width: 320, height: 640 });
  await showState(page, 'all');
  await card(page, SECRET.title).waitFor();
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'no sideways scrolling at 320 px (nb)');
  await assertAxe(page, 'moderation and codes, 320 px, high contrast, nb');
  await page.locator('#codes-label').fill('Ungdomsklubben Sentrum');
  await page.locator('#codes-count').fill('3');
  await page.locator('#codes-create').click();
  await page.locator('#code-sheet').waitFor({ state: 'visible' });
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 320), 'the codes fit 320 px');
  await assertAxe(page, 'codes shown once, 320 px, high contrast, nb');
  await page.screenshot({ path: screenshotPath('participation-codes-320.png'), fullPage: true });
  await page.getByRole('button', { name: 'Ferdig, fjern kodene fra siden' }).click();
  await announced(page, 'Kodene er fjernet fra siden.');
  assert.equal(await page.locator('#code-list').count(), 0, 'the codes left the page');

  assertClean(a);
  // The page asks once whether the server lets a moderator read the audit log.
  assertClean(m, [...ALLOWED, /\/api\/audit\?limit=1: HTTP 403/, /403 \(Forbidden\)/]);
  assertClean(pupil, [...ALLOWED, /HTTP 403/, /403 \(Forbidden\)/]);
  await Promise.all([a.close(), m.close(), pupil.close()]);
});
