// The municipality staff's page (/admin, issue 14): organisations (create, edit, deactivate,
// merge, members), people (staff roles, disable, invite staff), API tokens, the audit log and
// the email outbox. For staff admins only; a moderator or an organisation's member sees a
// short "only the municipality's admins" message, and someone signed out the sign-in form.
// Strings: /static/i18n/admin/. Writes go through ../org/api.js (session cookie, X-CSRF-Token).

import { $, h, announce, jumpTo } from '../kit/dom.js';
import { loadLanguages, setLanguage, currentLanguage, availableLanguages, t, applyStatic } from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { initialContrast, showContrast, wireContrast } from '../kit/contrast.js';
import { renderLanguageLinks } from '../kit/languages.js';
import { api, me } from '../org/api.js';
import { admin } from './context.js';
import { buildSignIn } from './signin.js';
import { buildOrgs, loadOrgs } from './orgs.js';
import { buildPeople, loadPeople } from './people.js';
import { buildTokens, loadTokens } from './tokens.js';
import { buildAudit, loadAudit } from './audit.js';
import { buildOutbox, loadOutbox } from './outbox.js';

const params = new URLSearchParams(location.search);
let contrast = initialContrast(params.get('contrast') === 'high' ? 'high' : null);

let resolveReady;
window.app = {
  ready: new Promise((ok) => { resolveReady = ok; }),
  /** 'signed-out', 'denied' or 'admin'. */
  view: null,
  get admin() { return admin; },
};

/** The page's URL with its parameters (`lang`, `contrast`). */
function writeUrl() {
  history.replaceState(null, '', params.size ? `/admin?${params}` : '/admin');
}

function hrefFor(code) {
  const q = new URLSearchParams(params);
  q.set('lang', code);
  return `/admin?${q}`;
}

function showOnly(id) {
  for (const v of ['signed-out', 'not-admin', 'signed-in']) $(v).hidden = v !== id;
}

/** Shows what fits who is (or is not) signed in. */
export async function route() {
  admin.me = await me();
  if (!admin.me) {
    window.app.view = 'signed-out';
    showOnly('signed-out');
    return;
  }
  if (admin.me.staff_role !== 'admin') {
    window.app.view = 'denied';
    $('not-admin-text').textContent = t(admin.me.staff_role === 'moderator' ? 'denied.moderator' : 'denied.text', { name: admin.me.name });
    showOnly('not-admin');
    return;
  }
  $('who-name').textContent = t('who.signed_in', { name: admin.me.name, email: admin.me.email });
  showOnly('signed-in');
  // People first: the organisations' members and the audit log name them.
  await loadPeople();
  await loadOrgs();
  await loadTokens();
  await Promise.all([loadAudit(), loadOutbox()]);
  window.app.view = 'admin';
}

async function signOut() {
  await api('POST', '/auth/sign-out').catch(() => null);
  admin.me = null;
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
  $('link-elsewhere').href = currentLanguage() === 'nb' ? '/org' : `/org?lang=${currentLanguage()}`;
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
  buildAudit();
  buildOutbox();
  await route();
}

start().then(() => resolveReady(), (e) => {
  console.error(e);
  $('page-status').replaceChildren(h('span', { textContent: t('common.failed') }));
  resolveReady();
});
