// The organisation's members (for its org_admins and staff admins): a card each with name,
// email, role and whether they have answered the invitation, with "make admin" / "make
// editor" and "remove" (or "withdraw the invitation"); and inviting someone (email, name,
// role), which emails them a link. The server keeps one admin at least (403) and refuses to
// invite a member again (422 on email): both are said in words.

import { $, h } from '../kit/dom.js';
import { t, currentLanguage } from '../kit/i18n.js';
import { api } from './api.js';
import { page, currentOrg } from './context.js';
import { inputField, selectField, formButtons, clearErrors, showServerErrors, showClientErrors, fillForm, onSubmit, busy, lengthErrors, errorText, reportError } from './fields.js';
import { itemButton } from './items.js';
import { confirmedPress, confirmAction } from './confirm.js';

let hooks;

/** Says `text` once the list shows the change. */
const say = (text) => { $('member-status').textContent = text; };

export async function loadMembers() {
  let data;
  try {
    ({ data } = await api('GET', `/api/organisations/${currentOrg().id}/members`));
  } catch (e) {
    $('member-list').replaceChildren(h('p', { className: 'field-error', textContent: errorText(e) }));
    return;
  }
  const cards = data.members.map((m) => {
    const you = m.person_id === page.me?.id;
    const name = you ? t('members.you', { name: m.name }) : m.name;
    const status = m.pending ? 'members.pending' : m.has_password ? 'members.active' : 'members.no_password';
    const other = m.role === 'org_admin' ? 'editor' : 'org_admin';
    const roleButton = itemButton(`members.make_${other}`, m.name, (e) => setRole(m, other, you, e.currentTarget));
    const removeButton = confirmedPress(itemButton(you ? 'members.leave' : m.pending ? 'members.withdraw' : 'members.remove', m.name, null),
      () => [t(you ? 'members.leave_question' : m.pending ? 'members.withdraw_question' : 'members.remove_question', { name: m.name, org: currentOrg().name }),
        t(you ? 'members.leave' : m.pending ? 'members.withdraw' : 'members.remove')],
      () => remove(m, you));
    return h('li', { className: `member${m.pending ? ' pending' : ''}`, dataset: { person: String(m.person_id) } },
      h('h3', { textContent: name }),
      h('p', { className: 'member-email', textContent: m.email }),
      h('dl', { className: 'facts' },
        h('dt', { textContent: t('members.role') }), h('dd', { className: 'member-role', textContent: t(`members.role_${m.role}`) }),
        h('dt', { textContent: t('members.status') }), h('dd', { className: 'member-state', textContent: t(status) })),
      h('div', { className: 'buttons' }, roleButton, removeButton));
  });
  $('member-list').replaceChildren(cards.length
    ? h('ul', { className: 'members', 'aria-labelledby': 'members-heading' }, cards)
    : h('p', { className: 'empty', textContent: t('members.none') }));
}

async function setRole(m, role, you, button) {
  if (you && role === 'editor' && !await confirmAction(t('members.demote_self_question', { org: currentOrg().name }), t('members.make_editor'), button)) return;
  await busy(button, async () => {
    let message;
    let done = false;
    try {
      await api('PATCH', `/api/organisations/${currentOrg().id}/members/${m.person_id}`, { body: { role } });
      message = t(`members.now_${role}`, { name: m.name });
      done = true;
    } catch (e) {
      message = errorText(e);
    }
    if (you && done) {
      // No longer its admin: the members part goes.
      await hooks.route();
      $('page-status').textContent = message;
      return;
    }
    await loadMembers();
    say(message);
    // Back to the member's card, whose buttons were made anew.
    $('member-list').querySelector(`li[data-person="${m.person_id}"] button`)?.focus();
  }).catch(reportError);
}

async function remove(m, you) {
  const org = currentOrg();
  let message;
  try {
    await api('DELETE', `/api/organisations/${org.id}/members/${m.person_id}`);
    message = t(you ? 'account.left' : m.pending ? 'members.withdrawn' : 'members.removed', { name: m.name, org: org.name });
  } catch (e) {
    await loadMembers();
    say(errorText(e));
    $('member-list').querySelector(`li[data-person="${m.person_id}"] button`)?.focus();
    return;
  }
  if (you) {
    await hooks.route();
    $('page-status').textContent = message;
    return;
  }
  await loadMembers();
  say(message);
  $('members-heading').focus();
}

export function buildMembers(h0) {
  hooks = h0;
  fillForm($('invite-form'),
    inputField({ id: 'invite-email', name: 'email', label: 'members.email', type: 'email', autocomplete: 'off' }),
    inputField({ id: 'invite-name', name: 'name', label: 'members.name', limit: 120, autocomplete: 'off' }),
    selectField({ id: 'invite-role', name: 'role', label: 'members.role', hint: 'members.role_hint' }),
    formButtons(h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'members.invite' } })));
  fillRoles();
  onSubmit($('invite-form'), invite);
}

async function invite() {
  const summary = $('invite-errors');
  clearErrors($('invite-form'), summary);
  const tooLong = lengthErrors($('invite-form'));
  if (tooLong.length) {
    showClientErrors(summary, tooLong);
    return;
  }
  const body = { email: $('invite-email').value.trim(), name: $('invite-name').value.trim(), role: $('invite-role').value, lang: currentLanguage() === 'en' ? 'en' : 'nb' };
  try {
    await api('POST', `/api/organisations/${currentOrg().id}/invitations`, { body });
  } catch (e) {
    showServerErrors(summary, e, (f) => ({ email: 'invite-email', name: 'invite-name', role: 'invite-role' }[f] ?? null));
    return;
  }
  $('invite-form').reset();
  await loadMembers();
  $('invite-status').textContent = t('members.invited_status', { email: body.email });
}

/** The role choices. */
function fillRoles() {
  $('invite-role').replaceChildren(...['editor', 'org_admin'].map((r) => new Option(t(`members.role_${r}`), r)));
}
