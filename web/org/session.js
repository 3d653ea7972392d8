// When the session ends while the page is open (signed out in another tab, or 30 minutes
// without use), the next request answers 401. Nothing typed is lost: a dialog asks the person
// to sign in again (password, or a sign-in link opened in another tab), takes the new session's
// CSRF token, and sends them back to the button they pressed, to press it again.

import { $, h, jumpTo } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { modal } from '../kit/dialog.js';
import { api, me, setCsrf, whenSessionEnds } from './api.js';
import { page } from './context.js';
import { inputField, formButtons, fillForm, onSubmit, onPress, clearErrors, showClientErrors, errorText, lastBusyButton } from './fields.js';

let dialog;
let hooks;

/** The words for a refused sign-in: wrong (the same whether the address is known or not), or locked for a while. */
export function signInError(e) {
  if (e.status === 429) {
    const minutes = Math.max(1, Math.ceil(Number(e.retryAfter ?? 900) / 60) || 15);
    return t('signin.rate_limited', { minutes });
  }
  return e.status === 401 ? t('signin.wrong') : errorText(e);
}

export function initSession(h0) {
  hooks = h0;
  dialog = modal($('session-dialog'), { closers: [$('session-close')], fallback: () => $('page-heading') });
  fillForm($('session-form'),
    inputField({ id: 'session-email', name: 'email', label: 'signin.email', type: 'email', autocomplete: 'username' }),
    inputField({ id: 'session-password', name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password' }),
    formButtons(h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'session.submit' } })));
  onSubmit($('session-form'), signInAgain);
  onPress($('session-link'), sendLink);
  onPress($('session-check'), checkLink);
  whenSessionEnds(open);
}

function open() {
  if ($('session-dialog').open) return;
  clearErrors($('session-form'), $('session-errors'));
  $('session-email').value = page.me?.email ?? '';
  $('session-password').value = '';
  $('session-link-status').textContent = '';
  $('session-check').hidden = true;
  const opener = lastBusyButton()?.isConnected ? lastBusyButton() : document.activeElement;
  dialog.open(opener);
  $('page-status').textContent = t('session.summary');
  ($('session-email').value ? $('session-password') : $('session-email')).focus();
}

/** Back in: the dialog closes (focus returns to the button pressed), and the page says what to do. */
async function back(person) {
  const same = page.me && person.id === page.me.id;
  page.me = person;
  $('session-dialog').close();
  if (!same) {
    await hooks.route();
    jumpTo('page-heading');
  }
  $('page-status').textContent = t(same ? 'session.back' : 'session.back_other', { name: person.name });
}

async function signInAgain() {
  const summary = $('session-errors');
  clearErrors($('session-form'), summary);
  const email = $('session-email').value.trim();
  const password = $('session-password').value;
  const missing = [];
  if (!email) missing.push({ field: 'session-email', text: t('signin.email_missing') });
  if (!password) missing.push({ field: 'session-password', text: t('signin.password_missing') });
  if (missing.length) {
    showClientErrors(summary, missing);
    return;
  }
  let data;
  try {
    ({ data } = await api('POST', '/auth/sign-in', { body: { email, password }, csrf: false }));
  } catch (e) {
    summary.replaceChildren(h('p', { className: 'error-summary-heading', textContent: signInError(e) }));
    summary.hidden = false;
    $('session-password').select();
    $('session-password').focus();
    return;
  }
  setCsrf(data.csrf);
  $('session-password').value = '';
  await back(data);
}

async function sendLink() {
  const email = $('session-email').value.trim();
  if (!email) {
    showClientErrors($('session-errors'), [{ field: 'session-email', text: t('signin.email_missing') }]);
    return;
  }
  await api('POST', '/auth/link', { body: { email }, csrf: false }).catch(() => null);
  $('session-link-status').textContent = t('session.link_sent', { email });
  $('session-check').hidden = false;
}

async function checkLink() {
  const person = await me().catch(() => null);
  if (person) await back(person);
  else $('session-link-status').textContent = t('session.not_yet');
}
