// Signing in and out: the password form, "send me a sign-in link", choosing a password after
// an invitation (?account=password), who is signed in, and which organisation they work for.

import { $, h, announce, jumpTo } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { showErrorSummary, markField } from '../kit/forms.js';
import { api, ApiError } from './api.js';
import { page, currentOrg, runsOrg } from './context.js';
import { inputField, formButtons, clearErrors, showServerErrors, fillForm } from './fields.js';
import { loadActivities } from './activities.js';
import { loadNeeds } from './needs.js';
import { loadMembers } from './members.js';

const PASSWORD_MIN = 12;
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

  $('sign-in-form').addEventListener('submit', (e) => { e.preventDefault(); signIn(); });
  $('link-form').addEventListener('submit', (e) => { e.preventDefault(); sendLink(); });
  $('password-form').addEventListener('submit', (e) => { e.preventDefault(); setPassword(); });
  $('sign-out').addEventListener('click', signOut);
  $('org-select').addEventListener('change', () => chooseOrg(Number($('org-select').value)));
}

export function showSignedOut() {
  showOnly($('signed-out'));
  $('page-status').textContent = '';
}

export function showSetPassword() {
  showOnly($('set-password'));
  $('new-password').focus();
}

async function signIn() {
  const form = $('sign-in-form');
  const summary = $('sign-in-errors');
  clearErrors(form, summary);
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
    $('signin-password').value = '';
    await hooks.route();
    announce(t('signin.done', { name: page.me?.name ?? '' }));
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    const text = e.status === 429
      ? t('signin.rate_limited', { seconds: e.retryAfter ?? '60' })
      : e.status === 401 ? t('signin.wrong') : e.message;
    // The same words whether the address is unknown or the password wrong.
    summary.replaceChildren(h('p', { className: 'error-summary-heading', textContent: text }));
    summary.hidden = false;
    $('signin-password').select();
    $('signin-password').focus();
  }
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
    showErrorSummary(summary, t('errors.heading', { count: 1 }), [{ field: 'new-password', text: t('errors.password') }]);
    $('new-password').focus();
    return;
  }
  try {
    await api('POST', '/auth/password', { body: { password } });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    showServerErrors(summary, e, (f) => (f === 'password' ? 'new-password' : null));
    return;
  }
  $('new-password').value = '';
  hooks.leavePasswordStep();
  await hooks.route();
  $('page-status').textContent = t('password.done');
}

async function signOut() {
  await api('POST', '/auth/sign-out').catch(() => null);
  page.me = null;
  page.org = null;
  await hooks.route();
  $('page-status').textContent = t('who.signed_out');
  jumpTo('sign-in-heading');
}

/** Every organisation a staff admin may pick: those that have activities or needs. */
async function allOrganisations() {
  const seen = new Map();
  for (const c of ['activities', 'volunteer-needs']) {
    const { data } = await api('GET', `/api/collections/${c}/items?limit=1000`);
    for (const f of data.features) {
      const o = f.properties.organisation;
      if (o && !seen.has(o.id)) seen.set(o.id, { id: o.id, name: o.name, role: 'org_admin' });
    }
  }
  return [...seen.values()];
}

export async function showSignedIn() {
  showOnly($('signed-in'));
  const { me } = page;
  $('who-name').textContent = t(me.staff_role ? `who.signed_in_${me.staff_role}` : 'who.signed_in', { name: me.name, email: me.email });
  const mine = me.memberships.map((m) => ({ id: m.org_id, name: m.name, role: m.role }));
  const others = me.staff_role === 'admin' ? (await allOrganisations()).filter((o) => !mine.some((m) => m.id === o.id)) : [];
  page.orgs = [...mine, ...others].sort((a, b) => a.name.localeCompare(b.name, 'nb'));
  const wanted = Number(new URLSearchParams(location.search).get('org'));
  const select = $('org-select');
  select.replaceChildren(...page.orgs.map((o) => new Option(o.name, String(o.id))));
  $('org-pick').hidden = page.orgs.length < 2;
  $('no-org').hidden = page.orgs.length > 0;
  await chooseOrg(page.orgs.some((o) => o.id === wanted) ? wanted : page.orgs[0]?.id ?? null);
}

/** Shows organisation `id`'s activities, needs and (for its admins) members. */
export async function chooseOrg(id) {
  page.org = id;
  $('org-select').value = id == null ? '' : String(id);
  const org = currentOrg();
  $('org-name').textContent = org ? t('who.working_for', { org: org.name }) : '';
  for (const s of ['activities', 'needs']) $(s).hidden = !org;
  document.querySelector('.org-sections').hidden = !org;
  $('members').hidden = !org || !runsOrg();
  $('members-link').hidden = $('members').hidden;
  if (!org) return;
  const q = new URLSearchParams(location.search);
  if (page.orgs.length > 1) q.set('org', String(id));
  history.replaceState(null, '', q.size ? `/org?${q}` : '/org');
  await Promise.all([loadActivities(), loadNeeds(), runsOrg() ? loadMembers() : null]);
}
