// Signing in on the staff page: email and password, as on /org (the same answer for an unknown
// address and a wrong password). Sign-in links and choosing a password live on /org, which the
// section links to.

import { $, h, announce } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { showErrorSummary } from '../kit/forms.js';
import { api, ApiError } from '../org/api.js';
import { inputField, formButtons, fillForm } from '../org/fields.js';
import { admin } from './context.js';
import { busy, clearFieldErrors } from './ui.js';

let hooks;

export function buildSignIn(h0) {
  hooks = h0;
  const submit = h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'signin.submit' } });
  fillForm($('sign-in-form'),
    inputField({ id: 'signin-email', name: 'email', label: 'signin.email', type: 'email', autocomplete: 'username' }),
    inputField({ id: 'signin-password', name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password' }),
    formButtons(submit));
  $('sign-in-form').addEventListener('submit', (e) => { e.preventDefault(); busy(submit, signIn); });
}

async function signIn() {
  const summary = $('sign-in-errors');
  clearFieldErrors($('sign-in-form'), summary);
  const email = $('signin-email').value.trim();
  const password = $('signin-password').value;
  const missing = [];
  if (!email) missing.push({ field: 'signin-email', text: t('signin.email_missing') });
  if (!password) missing.push({ field: 'signin-password', text: t('signin.password_missing') });
  if (missing.length) {
    showErrorSummary(summary, t('errors.heading', { count: missing.length }), missing);
    $(missing[0].field).focus();
    return;
  }
  try {
    await api('POST', '/auth/sign-in', { body: { email, password }, csrf: false });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const text = e.status === 429
      ? t('signin.rate_limited', { seconds: e.retryAfter ?? '60' })
      : e.status === 401 ? t('signin.wrong') : e.message;
    summary.replaceChildren(h('p', { className: 'error-summary-heading', textContent: text }));
    summary.hidden = false;
    $('signin-password').select();
    $('signin-password').focus();
    return;
  }
  $('signin-password').value = '';
  $('page-status').textContent = '';
  await hooks.route();
  announce(t('signin.done', { name: admin.me?.name ?? '' }));
  $('main').focus();
}
