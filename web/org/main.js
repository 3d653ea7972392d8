// The organisations' page (/org, issue 14): volunteers of clubs, the frivilligsentral and the
// library keep their activities and volunteer needs current and answer offers of help.
//
// Signed out: sign in with a password, or ask for a sign-in link. After an invitation or a
// reset link the server sends the person to /org?account=password: choose a password first.
// Signed in: who, sign out, the organisation (when several), its activities (account.js,
// activities.js and activity-editor.js with schedule.js and place.js, a season's CSV file in
// season.js), volunteer needs with
// their offers (needs.js, need-editor.js, offers.js), its profile with the consent to open
// data (profile.js; editors see only the consent, read-only) and, for its admins, members
// and invitations (members.js); the person's own account
// (password.js). A session that ends while the page is open asks to sign in again without
// losing what was typed (session.js). Strings: /static/i18n/org/.

import { $, announce } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { loadLanguages, setLanguage, currentLanguage, availableLanguages, t, applyStatic } from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { initialContrast, showContrast, wireContrast } from '../kit/contrast.js';
import { renderLanguageLinks } from '../kit/languages.js';
import { initConfirm } from './confirm.js';
import { me } from './api.js';
import { page } from './context.js';
import { buildAccount, showSignedOut, showSetPassword, showSignedIn } from './account.js';
import { buildActivityEditor } from './activity-editor.js';
import { buildSeason } from './season.js';
import { buildNeedEditor } from './need-editor.js';
import { buildMembers } from './members.js';
import { buildProfile } from './profile.js';
import { buildPassword } from './password.js';
import { initSession } from './session.js';

const params = new URLSearchParams(location.search);
let contrast = initialContrast(params.get('contrast') === 'high' ? 'high' : null);

let resolveReady;
window.app = {
  ready: new Promise((ok) => { resolveReady = ok; }),
  /** 'signed-out', 'password' or 'signed-in'. */
  view: null,
  get page() { return page; },
};

/** The page's URL in language `code` (the other parameters kept). */
function hrefFor(code) {
  const q = new URLSearchParams(location.search);
  q.set('lang', code);
  return at(`/org?${q}`);
}

/** Shows what fits who is (or is not) signed in. */
export async function route() {
  page.me = await me();
  if (!page.me) {
    window.app.view = 'signed-out';
    showSignedOut();
  } else if (params.get('account') === 'password') {
    window.app.view = 'password';
    showSetPassword();
  } else {
    await showSignedIn();
    // Set once the page is drawn, so a reader (or a test) waiting on it sees the whole view.
    window.app.view = 'signed-in';
  }
}

/** After the password is chosen: the address bar loses ?account=password. */
export function leavePasswordStep() {
  params.delete('account');
  history.replaceState(null, '', at(params.size ? `/org?${params}` : '/org'));
}

async function start() {
  await Promise.all([loadLanguages({ dir: '/static/i18n/org', onlyListed: true }), includeParts()]);
  await setLanguage(params.get('lang') ?? 'nb');
  document.title = t('page.title');
  applyStatic();
  renderLanguageLinks(availableLanguages(), currentLanguage(), { href: hrefFor });
  showContrast(contrast);
  wireContrast(() => contrast, (next) => {
    contrast = next;
    if (next) params.set('contrast', 'high'); else params.delete('contrast');
    history.replaceState(null, '', at(params.size ? `/org?${params}` : '/org'));
    announce(t(next ? 'who.contrast_on' : 'who.contrast_off'));
  });
  initConfirm();
  buildAccount({ route, leavePasswordStep });
  initSession({ route });
  buildActivityEditor();
  buildSeason();
  buildNeedEditor();
  buildProfile();
  buildMembers({ route });
  buildPassword({ route });
  await route();
}

start().then(() => resolveReady(), (e) => {
  console.error(e);
  $('page-status').textContent = t('common.failed');
  resolveReady();
});
