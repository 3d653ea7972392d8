// Signing in and out: the password form (with the way to a sign-in link when the password is
// forgotten), "send me a sign-in link", choosing a password after an invitation
// (?account=password), who is signed in, and which organisation they work for.

import { $, h, announce, jumpTo } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t } from '../kit/i18n.js';
import { markField } from '../kit/forms.js';
import { api, setCsrf } from './api.js';
import { page, currentOrg, runsOrg, PASSWORD_MIN } from './context.js';
import { inputField, formButtons, clearErrors, showServerErrors, showClientErrors, fillForm, onSubmit, onPress, errorText } from './fields.js';
import { signInError } from './session.js';
import { loadActivities } from './activities.js';
import { loadNeeds } from './needs.js';
import { loadMembers } from './members.js';
import { loadRuns } from './runs.js';
import { showProfile } from './profile.js';
import { showAccount } from './password.js';

let hooks;

const views = () => [$('signed-out'), $('set-password'), $('signed-in')];
function showOnly(el) {
  for (const v of views()) v.hidden = v !== el;
}

export function buildAccount(h0) {
  hooks = h0;
  fillForm($('sign-in-form'),
    inputField({ id: 'signin-email', name: 'email', label: 'signin.email', type: 'email', autocomplete: 'username' }),
    inputField({ id: 'signin-password', name: 'password', label: 'signin.password', type: 'password', autocomplete: 'current-password' }),
    h('p', {}, h('a', { href: '#link-email', id: 'forgot', dataset: { i18n: 'signin.forgot' }, on: { click: toLinkForm } })),
    formButtons(h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'signin.submit' } })));
  fillForm($('link-form'),
    inputField({ id: 'link-email', name: 'email', label: 'signin.email', type: 'email', autocomplete: 'email' }),
    formButtons(h('button', { type: 'submit', dataset: { i18n: 'link.submit' } })));
  fillForm($('password-form'),
    inputField({
      id: 'new-password', name: 'password', label: 'password.label', hint: 'password.hint', type: 'password',
      autocomplete: 'new-password', attrs: { minlength: PASSWORD_MIN },
    }),
    formButtons(h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'password.submit' } })));

  onSubmit($('sign-in-form'), signIn);
  onSubmit($('link-form'), sendLink);
  onSubmit($('password-form'), setPassword);
  onPress($('sign-out'), signOut);
  $('org-select').addEventListener('change', () => chooseOrg(Number($('org-select').value)).catch((e) => {
    $('page-status').textContent = errorText(e);
  }));
}

/** "Glemt passordet?": on to the sign-in link form, with the address already typed. */
function toLinkForm(e) {
  e.preventDefault();
  if (!$('link-email').value) $('link-email').value = $('signin-email').value.trim();
  jumpTo('link-heading');
  $('link-email').focus();
}

export function showSignedOut() {
  showOnly($('signed-out'));
}

export function showSetPassword() {
  showOnly($('set-password'));
  $('new-password').focus();
}

async function signIn() {
  const summary = $('sign-in-errors');
  clearErrors($('sign-in-form'), summary);
  const email = $('signin-email').value.trim();
  const password = $('signin-password').value;
  const missing = [];
  if (!email) missing.push({ field: 'signin-email', text: t('signin.email_missing') });
  if (!password) missing.push({ field: 'signin-password', text: t('signin.password_missing') });
  if (missing.length) {
    showClientErrors(summary, missing);
    $(missing[0].field).focus();
    return;
  }
  try {
    const { data } = await api('POST', '/auth/sign-in', { body: { email, password }, csrf: false });
    setCsrf(data.csrf);
  } catch (e) {
    // The same words whether the address is unknown or the password wrong.
    summary.replaceChildren(h('p', { className: 'error-summary-heading', textContent: signInError(e) }));
    if (e.status === 429) {
      summary.append(h('p', {}, h('a', { href: '#link-email', textContent: t('signin.use_link'), on: { click: toLinkForm } })));
    }
    summary.hidden = false;
    $('signin-password').select();
    $('signin-password').focus();
    return;
  }
  $('signin-password').value = '';
  $('page-status').textContent = '';
  await hooks.route();
  // Focus to the page's heading: the signed-in page begins there.
  jumpTo('page-heading');
  announce(t('signin.done', { name: page.me?.name ?? '' }));
}

async function sendLink() {
  const email = $('link-email').value.trim();
  markField('link-email', email ? null : t('signin.email_missing'));
  if (!email) {
    $('link-email').focus();
    return;
  }
  await api('POST', '/auth/link', { body: { email }, csrf: false }).catch(() => null);
  // 202 always: the page never says whether the address has an account.
  $('link-status').textContent = t('link.sent', { email });
}

async function setPassword() {
  const summary = $('password-errors');
  clearErrors($('password-form'), summary);
  const password = $('new-password').value;
  if ([...password].length < PASSWORD_MIN) {
    showClientErrors(summary, [{ field: 'new-password', text: t('errors.password') }]);
    $('new-password').focus();
    return;
  }
  try {
    await api('POST', '/auth/password', { body: { password } });
  } catch (e) {
    showServerErrors(summary, e, (f) => (f === 'password' ? 'new-password' : null));
    return;
  }
  $('new-password').value = '';
  hooks.leavePasswordStep();
  await hooks.route();
  $('page-status').textContent = t('password.done');
  jumpTo('page-heading');
}

async function signOut() {
  await api('POST', '/auth/sign-out').catch(() => null);
  page.me = null;
  page.org = null;
  await hooks.route();
  $('page-status').textContent = t('who.signed_out');
  jumpTo('sign-in-heading');
}

/** The organisations' public profiles (for staff admins the deactivated ones too), by id. */
async function organisations() {
  try {
    const { data } = await api('GET', '/api/organisations');
    return new Map(data.organisations.map((o) => [o.id, o]));
  } catch {
    return new Map();
  }
}

export async function showSignedIn() {
  showOnly($('signed-in'));
  const { me } = page;
  $('who-name').textContent = t(me.staff_role ? `who.signed_in_${me.staff_role}` : 'who.signed_in', { name: me.name, email: me.email });
  page.orgInfo = await organisations();
  const mine = me.memberships.map((m) => ({ id: m.org_id, name: m.name ?? page.orgInfo.get(m.org_id)?.name ?? `#${m.org_id}`, role: m.role }));
  // Staff admins may work for every active organisation, with or without activities yet.
  const others = me.staff_role === 'admin'
    ? [...page.orgInfo.values()].filter((o) => o.active !== false && !mine.some((m) => m.id === o.id))
      .map((o) => ({ id: o.id, name: o.name, role: 'org_admin' }))
    : [];
  page.orgs = [...mine, ...others].sort((a, b) => a.name.localeCompare(b.name, 'nb'));
  const wanted = Number(new URLSearchParams(location.search).get('org'));
  const select = $('org-select');
  select.replaceChildren(...page.orgs.map((o) => new Option(o.name, String(o.id))));
  $('org-pick').hidden = page.orgs.length < 2;
  $('no-org').hidden = page.orgs.length > 0;
  $('password-offer').hidden = !me.password_without_current;
  showAccount();
  await chooseOrg(page.orgs.some((o) => o.id === wanted) ? wanted : page.orgs[0]?.id ?? null);
}

/** Shows organisation `id`'s activities, needs, the places it runs, its profile (for an editor only the
 * open-data consent) and (for its admins) members. */
export async function chooseOrg(id) {
  page.org = id;
  $('org-select').value = id == null ? '' : String(id);
  const org = currentOrg();
  $('org-name').textContent = org ? t('who.working_for', { org: org.name }) : '';
  for (const s of ['activities', 'needs']) $(s).hidden = !org;
  for (const s of ['activities', 'needs']) $(`${s}-link`).hidden = !org;
  $('members').hidden = !org || !runsOrg();
  $('members-link').hidden = $('members').hidden;
  // The profile: editable for its admins; an editor sees only the open-data consent.
  $('profile').hidden = !org;
  $('profile-link').hidden = !org;
  // The places it runs: shown once GET …/facilities has found one (runs.js).
  $('runs').hidden = true;
  $('runs-link').hidden = true;
  showAccount();
  if (!org) return;
  const q = new URLSearchParams(location.search);
  if (page.orgs.length > 1) q.set('org', String(id));
  history.replaceState(null, '', at(q.size ? `/org?${q}` : '/org'));
  showProfile();
  await Promise.all([loadActivities(), loadNeeds(), loadRuns(), runsOrg() ? loadMembers() : null]);
}
