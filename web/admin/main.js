// The municipality staff's page (/admin, issues 14 and 15): residents' proposals (moderation
// and answers), participation codes, organisations (create, edit, deactivate, merge, members),
// people (staff roles, disable, invite staff), API tokens, facilities' opening hours and a
// knutepunkt's services (issue 18), the audit log and the email outbox.
// A staff admin sees every section; a moderator the proposals, the codes and the audit log (when
// the server lets moderators read it); an organisation's member a short "only the
// municipality's staff" message, and someone signed out the sign-in form.
// Strings: /static/i18n/admin/. Writes go through ../org/api.js (session cookie, X-CSRF-Token).

import { $, h, announce, jumpTo } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { loadLanguages, setLanguage, currentLanguage, availableLanguages, t, applyStatic } from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { initialContrast, showContrast, wireContrast } from '../kit/contrast.js';
import { renderLanguageLinks } from '../kit/languages.js';
import { api, me } from '../org/api.js';
import { admin, isAdmin } from './context.js';
import { buildSignIn } from './signin.js';
import { buildOrgs, loadOrgs } from './orgs.js';
import { buildPeople, loadPeople } from './people.js';
import { buildTokens, loadTokens } from './tokens.js';
import { buildHours } from './hours.js';
import { buildAudit, loadAudit } from './audit.js';
import { buildOutbox, loadOutbox } from './outbox.js';
import { buildModeration, loadProposals } from './moderation.js';
import { buildCodes, loadBatches, clearSheet } from './codes.js';

const params = new URLSearchParams(location.search);
let contrast = initialContrast(params.get('contrast') === 'high' ? 'high' : null);

let resolveReady;
window.app = {
  ready: new Promise((ok) => { resolveReady = ok; }),
  /** 'signed-out', 'denied', 'moderator' or 'admin'. */
  view: null,
  get admin() { return admin; },
};

/** The page's URL with its parameters (`lang`, `contrast`). */
function writeUrl() {
  history.replaceState(null, '', at(params.size ? `/admin?${params}` : '/admin'));
}

function hrefFor(code) {
  const q = new URLSearchParams(params);
  q.set('lang', code);
  return at(`/admin?${q}`);
}

function showOnly(id) {
  for (const v of ['signed-out', 'not-admin', 'signed-in']) $(v).hidden = v !== id;
}

/** Shows what fits who is (or is not) signed in. */
export async function route() {
  admin.me = await me();
  $('page-heading').textContent = t('page.heading');
  if (!admin.me) {
    window.app.view = 'signed-out';
    showOnly('signed-out');
    return;
  }
  const role = admin.me.staff_role;
  if (role !== 'admin' && role !== 'moderator') {
    window.app.view = 'denied';
    $('not-admin-text').textContent = t('denied.text', { name: admin.me.name });
    showOnly('not-admin');
    return;
  }
  const everything = isAdmin();
  $('page-heading').textContent = t(everything ? 'page.heading' : 'page.heading_moderator');
  $('who-name').textContent = t(everything ? 'who.signed_in' : 'who.signed_in_moderator', { name: admin.me.name, email: admin.me.email });
  for (const el of document.querySelectorAll('[data-admin-only]')) el.hidden = !everything;
  showOnly('signed-in');
  if (everything) {
    // People first: the organisations' members and the audit log name them.
    await loadPeople();
    await loadOrgs();
    await loadTokens();
  }
  await Promise.all([loadProposals(), loadBatches()]);
  await showAuditIfAllowed(everything);
  if (everything) await loadOutbox();
  window.app.view = everything ? 'admin' : 'moderator';
}

/** The audit log: always for admins; for a moderator only when the server lets them read it. */
async function showAuditIfAllowed(everything) {
  let allowed = everything;
  if (!everything) {
    try {
      await api('GET', '/api/audit?limit=1');
      allowed = true;
    } catch {
      allowed = false;
    }
  }
  $('audit').hidden = !allowed;
  $('audit-nav').hidden = !allowed;
  if (allowed) await loadAudit();
}

async function signOut() {
  await api('POST', '/auth/sign-out').catch(() => null);
  admin.me = null;
  clearSheet();
  await route();
  $('page-status').textContent = t('who.signed_out');
  jumpTo('sign-in-heading');
}

async function start() {
  await Promise.all([loadLanguages({ dir: '/static/i18n/admin', onlyListed: true, fallback: { nb: 'Norsk (bokmål)', en: 'English' } }), includeParts()]);
  await setLanguage(params.get('lang') ?? 'nb');
  document.title = t('page.title');
  applyStatic();
  renderLanguageLinks(availableLanguages(), currentLanguage(), { href: hrefFor });
  $('link-elsewhere').href = at(currentLanguage() === 'nb' ? '/org' : `/org?lang=${currentLanguage()}`);
  showContrast(contrast);
  wireContrast(() => contrast, (next) => {
    contrast = next;
    if (next) params.set('contrast', 'high'); else params.delete('contrast');
    writeUrl();
    announce(t(next ? 'who.contrast_on' : 'who.contrast_off'));
  });
  $('sign-out').addEventListener('click', signOut);
  $('denied-sign-out').addEventListener('click', signOut);
  buildSignIn({ route });
  buildOrgs();
  buildPeople();
  buildTokens();
  buildHours();
  buildAudit();
  buildOutbox();
  buildModeration();
  buildCodes();
  await route();
}

start().then(() => resolveReady(), (e) => {
  console.error(e);
  $('page-status').replaceChildren(h('span', { textContent: t('common.failed') }));
  resolveReady();
});
