// The person's own account ("Din konto"): change the password (with the current one, or
// without it for 15 minutes after signing in with an emailed link: the forgotten-password
// path), sign out on every device, and leave the chosen organisation.

import { $, h, jumpTo } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { api, me } from './api.js';
import { page, currentOrg, PASSWORD_MIN } from './context.js';
import { inputField, formButtons, clearErrors, showServerErrors, showClientErrors, fillForm, onSubmit, errorText } from './fields.js';
import { confirmedPress } from './confirm.js';

let hooks;

export function buildPassword(h0) {
  hooks = h0;
  fillForm($('change-password-form'),
    inputField({ id: 'current-password', name: 'current_password', label: 'account.current', type: 'password', autocomplete: 'current-password' }),
    inputField({
      id: 'changed-password', name: 'password', label: 'account.new', hint: 'password.hint', type: 'password',
      autocomplete: 'new-password', attrs: { minlength: PASSWORD_MIN },
    }),
    formButtons(h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'account.save' } })));
  onSubmit($('change-password-form'), changePassword);
  confirmedPress($('sign-out-everywhere'), () => [t('account.everywhere_question'), t('account.everywhere')], signOutEverywhere);
  confirmedPress($('leave-org'), () => [t('account.leave_question', { org: currentOrg().name }), t('account.leave', { org: currentOrg().name })], leave);
}

/** Fits the account section to the person and the chosen organisation. */
export function showAccount() {
  const m = page.me;
  if (!m) return;
  const withoutCurrent = Boolean(m.password_without_current);
  $('change-password-heading').textContent = t(withoutCurrent ? 'account.choose_heading' : 'account.change_heading');
  $('change-password-intro').textContent = withoutCurrent ? t('account.choose_intro') : '';
  $('current-password').closest('.field').hidden = withoutCurrent;
  const org = currentOrg();
  const member = org && m.memberships.some((x) => x.org_id === org.id);
  $('leave-part').hidden = !member;
  if (member) {
    $('leave-org').textContent = t('account.leave', { org: org.name });
    $('leave-intro').textContent = t('account.leave_intro', { org: org.name });
  }
}

async function changePassword() {
  const summary = $('change-password-errors');
  clearErrors($('change-password-form'), summary);
  const withoutCurrent = Boolean(page.me.password_without_current);
  const body = { password: $('changed-password').value };
  if (!withoutCurrent) body.current_password = $('current-password').value;
  const errors = [];
  if (!withoutCurrent && !body.current_password) errors.push({ field: 'current-password', text: t('errors.current_missing') });
  if ([...body.password].length < PASSWORD_MIN) errors.push({ field: 'changed-password', text: t('errors.password') });
  if (errors.length) {
    showClientErrors(summary, errors);
    return;
  }
  try {
    await api('POST', '/auth/password', { body });
  } catch (e) {
    showServerErrors(summary, e, (f) => ({ password: 'changed-password', current_password: 'current-password' }[f] ?? null));
    return;
  }
  $('changed-password').value = '';
  $('current-password').value = '';
  page.me = await me() ?? page.me;
  showAccount();
  $('page-status').textContent = t('account.changed');
}

async function signOutEverywhere() {
  try {
    await api('POST', '/auth/sign-out-everywhere');
  } catch (err) {
    $('page-status').textContent = errorText(err);
    return;
  }
  page.me = null;
  page.org = null;
  await hooks.route();
  $('page-status').textContent = t('account.everywhere_done');
  jumpTo('sign-in-heading');
}

async function leave() {
  const org = currentOrg();
  try {
    await api('DELETE', `/api/organisations/${org.id}/members/${page.me.id}`);
  } catch (err) {
    $('page-status').textContent = errorText(err);
    return;
  }
  await hooks.route();
  $('page-status').textContent = t('account.left', { org: org.name });
  jumpTo('page-heading');
}
