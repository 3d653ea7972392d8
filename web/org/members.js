// The organisation's members (for its org_admins and staff admins): who, their role, whether
// they have chosen a password; and inviting someone (email, name, role), which emails them
// a link to choose a password.

import { $, h } from '../kit/dom.js';
import { t, currentLanguage } from '../kit/i18n.js';
import { api, ApiError } from './api.js';
import { currentOrg } from './context.js';
import { inputField, selectField, formButtons, clearErrors, showServerErrors, fillForm } from './fields.js';

export async function loadMembers() {
  const { data } = await api('GET', `/api/organisations/${currentOrg().id}/members`);
  const rows = data.members.map((m) => h('tr', {},
    h('th', { scope: 'row', textContent: m.name }),
    h('td', { textContent: m.email }),
    h('td', { textContent: t(`members.role_${m.role}`) }),
    h('td', { textContent: t(m.has_password ? 'members.active' : 'members.invited') })));
  $('member-list').replaceChildren(rows.length
    ? h('div', { className: 'table-wrap', role: 'region', tabIndex: 0, 'aria-labelledby': 'members-heading' },
      h('table', { className: 'members' },
        h('thead', {}, h('tr', {}, ['name', 'email', 'role', 'status'].map((c) => h('th', { scope: 'col', textContent: t(`members.${c}`) })))),
        h('tbody', {}, rows)))
    : h('p', { className: 'empty', textContent: t('members.none') }));
}

export function buildMembers() {
  fillForm($('invite-form'),
    inputField({ id: 'invite-email', name: 'email', label: 'members.email', type: 'email', autocomplete: 'off' }),
    inputField({ id: 'invite-name', name: 'name', label: 'members.name', maxLength: 120, autocomplete: 'off' }),
    selectField({ id: 'invite-role', name: 'role', label: 'members.role', hint: 'members.role_hint' }),
    formButtons(h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'members.invite' } })));
  fillRoles();
  $('invite-form').addEventListener('submit', (e) => { e.preventDefault(); invite(); });
}

async function invite() {
  const role = $('invite-role');
  clearErrors($('invite-form'), $('invite-errors'));
  const body = { email: $('invite-email').value.trim(), name: $('invite-name').value.trim(), role: role.value, lang: currentLanguage() === 'en' ? 'en' : 'nb' };
  try {
    await api('POST', `/api/organisations/${currentOrg().id}/invitations`, { body });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    showServerErrors($('invite-errors'), e, (f) => ({ email: 'invite-email', name: 'invite-name', role: 'invite-role' }[f] ?? null));
    return;
  }
  $('invite-form').reset();
  $('invite-status').textContent = t('members.invited_status', { email: body.email });
  await loadMembers();
}

/** The role choices. */
function fillRoles() {
  $('invite-role').replaceChildren(...['editor', 'org_admin'].map((r) => new Option(t(`members.role_${r}`), r)));
}
