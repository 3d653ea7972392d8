// Organisations: every one (the deactivated ones marked), a new one, its profile changed,
// deactivated or reactivated, merged into another; and one organisation's members (role,
// pending invitations, invite, change role, remove).

import { $, h } from '../kit/dom.js';
import { t, currentLanguage } from '../kit/i18n.js';
import { ORG_KINDS } from '../kit/domain.js';
import { api, ApiError } from '../org/api.js';
import { inputField, selectField, formButtons, fillForm } from '../org/fields.js';
import { admin, changed, orgName, sortedOrgs } from './context.js';
import {
  dataTable, rowButton, busy, refocus, showProblem, confirmDialog, showFieldErrors,
  clearFieldErrors, say, formDialog,
} from './ui.js';
import { loadPeople } from './people.js';

/** The organisation being edited (null: a new one), and the one whose members are shown. */
let editing = null;
let merging = null;
let membersOf = null;
let orgDialog;
let mergeDialog;

const kindLabel = (k) => t(`kinds.${k}`);

export async function loadOrgs() {
  const { data } = await api('GET', '/api/organisations');
  admin.orgs = data.organisations;
  renderOrgs();
  changed('orgs');
  if (membersOf != null) {
    if (admin.orgs.some((o) => o.id === membersOf)) {
      $('members-heading').textContent = t('members.heading', { org: orgName(membersOf) });
    } else hideMembers();
  }
}

function renderOrgs() {
  const rows = sortedOrgs().map((o) => ({
    key: `org-${o.id}`,
    className: o.active ? null : 'inactive',
    cells: [
      h('span', {}, o.name, o.example ? h('span', { className: 'badge', textContent: t('orgs.example') }) : null),
      kindLabel(o.kind),
      o.contact ?? '',
      o.website ? h('a', { href: o.website, className: 'url', textContent: o.website }) : '',
      h('span', { className: o.active ? 'state' : 'state state-off', textContent: t(o.active ? 'orgs.active' : 'orgs.inactive') }),
      h('div', { className: 'row-actions' },
        rowButton({ key: `org-edit-${o.id}`, text: t('common.edit'), about: o.name, onClick: (b) => openOrgForm(b, o) }),
        rowButton({ key: `org-members-${o.id}`, text: t('orgs.members'), about: o.name, onClick: (b) => showMembers(b, o.id) }),
        rowButton({
          key: `org-active-${o.id}`, text: t(o.active ? 'orgs.deactivate' : 'orgs.reactivate'), about: o.name,
          onClick: (b) => toggleActive(b, o),
        }),
        admin.orgs.length > 1
          ? rowButton({ key: `org-merge-${o.id}`, text: t('orgs.merge'), about: o.name, onClick: (b) => openMerge(b, o) })
          : null),
    ],
  }));
  $('org-list').replaceChildren(rows.length
    ? dataTable({
      id: 'org-table',
      caption: t('orgs.caption', { count: rows.length }),
      columns: ['name', 'kind', 'contact', 'website', 'status', 'actions'].map((c) => ({ label: t(`orgs.col_${c}`), className: `col-${c}` })),
      rows,
    })
    : h('p', { className: 'empty', textContent: t('orgs.none') }));
}

export function buildOrgs() {
  const cancel = h('button', { type: 'button', dataset: { i18n: 'common.cancel' } });
  fillForm($('org-form'),
    inputField({ id: 'org-name', name: 'name', label: 'orgs.name', hint: 'orgs.name_hint', maxLength: 120, autocomplete: 'off' }),
    selectField({ id: 'org-kind', name: 'kind', label: 'orgs.kind' }),
    inputField({ id: 'org-contact', name: 'contact', label: 'orgs.contact', hint: 'orgs.contact_hint', required: false, maxLength: 200, autocomplete: 'off' }),
    inputField({ id: 'org-website', name: 'website', label: 'orgs.website', hint: 'orgs.website_hint', type: 'url', required: false, maxLength: 300, autocomplete: 'off' }),
    formButtons(h('button', { type: 'submit', id: 'org-save', className: 'primary', dataset: { i18n: 'common.save' } }), cancel));
  $('org-kind').replaceChildren(...ORG_KINDS.map((k) => new Option(kindLabel(k), k)));
  orgDialog = formDialog('org-dialog', cancel);
  $('org-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('org-save'), saveOrg); });
  $('org-new').addEventListener('click', (e) => openOrgForm(e.currentTarget, null));

  const mergeCancel = h('button', { type: 'button', dataset: { i18n: 'common.cancel' } });
  fillForm($('merge-form'),
    selectField({ id: 'merge-into', name: 'into', label: 'merge.into', hint: 'merge.into_hint' }),
    formButtons(h('button', { type: 'submit', id: 'merge-next', className: 'primary', dataset: { i18n: 'merge.next' } }), mergeCancel));
  mergeDialog = formDialog('merge-dialog', mergeCancel);
  $('merge-form').addEventListener('submit', (e) => { e.preventDefault(); confirmMerge(); });

  buildMembers();
}

function openOrgForm(opener, org) {
  editing = org;
  clearFieldErrors($('org-form'), $('org-errors'));
  $('org-dialog-heading').textContent = org ? t('orgs.edit_heading', { name: org.name }) : t('orgs.new_heading');
  $('org-name').value = org?.name ?? '';
  $('org-kind').value = org?.kind ?? 'volunteer_organisation';
  $('org-contact').value = org?.contact ?? '';
  $('org-website').value = org?.website ?? '';
  orgDialog.open(opener);
  $('org-name').focus();
}

const orgFieldId = (f) => ({ name: 'org-name', kind: 'org-kind', contact: 'org-contact', website: 'org-website' }[f] ?? null);

async function saveOrg() {
  const summary = $('org-errors');
  clearFieldErrors($('org-form'), summary);
  const name = $('org-name').value.trim();
  const body = {
    name,
    kind: $('org-kind').value,
    contact: $('org-contact').value.trim() || null,
    website: $('org-website').value.trim() || null,
  };
  let id = editing?.id;
  try {
    if (editing) await api('PATCH', `/api/organisations/${editing.id}`, { body });
    else {
      if (!body.contact) delete body.contact;
      if (!body.website) delete body.website;
      ({ id } = (await api('POST', '/api/organisations', { body })).data);
    }
  } catch (e) {
    showFieldErrors(summary, e, orgFieldId);
    return;
  }
  await loadOrgs();
  const wasNew = !editing;
  await orgDialog.close();
  say(t(wasNew ? 'orgs.created' : 'orgs.saved', { name }));
  if (wasNew) refocus(`org-edit-${id}`, 'orgs-heading');
}

async function toggleActive(button, org) {
  const deactivate = org.active;
  const yes = await confirmDialog({
    heading: t(deactivate ? 'orgs.deactivate_heading' : 'orgs.reactivate_heading', { name: org.name }),
    lines: deactivate
      ? [t('orgs.deactivate_what', { name: org.name }), t('orgs.deactivate_undo')]
      : [t('orgs.reactivate_what', { name: org.name })],
    yes: t(deactivate ? 'orgs.deactivate' : 'orgs.reactivate'),
    opener: button,
  });
  if (!yes) return;
  showProblem('orgs-problem', null);
  const key = button.dataset.key;
  await busy(button, async () => {
    try {
      await api('PATCH', `/api/organisations/${org.id}`, { body: { active: !deactivate } });
      await loadOrgs();
      say(t(deactivate ? 'orgs.deactivated' : 'orgs.reactivated', { name: org.name }));
    } catch (e) {
      showProblem('orgs-problem', e);
    }
  });
  refocus(key, 'orgs-heading');
}

function openMerge(opener, org) {
  merging = org;
  clearFieldErrors($('merge-form'), $('merge-errors'));
  $('merge-dialog-heading').textContent = t('merge.heading', { name: org.name });
  const others = sortedOrgs().filter((o) => o.id !== org.id);
  $('merge-into').replaceChildren(new Option(t('merge.choose'), ''),
    ...others.map((o) => new Option(o.active ? o.name : t('merge.inactive', { name: o.name }), String(o.id))));
  mergeDialog.open(opener);
  $('merge-into').focus();
  merging.opener = opener;
}

async function confirmMerge() {
  const org = merging;
  const into = admin.orgs.find((o) => o.id === Number($('merge-into').value));
  clearFieldErrors($('merge-form'), $('merge-errors'));
  if (!into) {
    showFieldErrors($('merge-errors'), new ApiError(422, { detail: '', errors: [{ field: 'into', reason: t('errors.into') }] }), () => 'merge-into');
    return;
  }
  await mergeDialog.close();
  const button = org.opener;
  const yes = await confirmDialog({
    heading: t('merge.confirm_heading', { name: org.name, into: into.name }),
    lines: [t('merge.what', { name: org.name, into: into.name }), t('merge.undo')],
    yes: t('merge.yes'),
    opener: button,
  });
  if (!yes) return;
  showProblem('orgs-problem', null);
  await busy(button, async () => {
    try {
      await api('POST', `/api/organisations/${org.id}/merge`, { body: { into: into.id } });
      if (membersOf === org.id) hideMembers();
      await loadOrgs();
      say(t('merge.done', { name: org.name, into: into.name }));
    } catch (e) {
      showProblem('orgs-problem', e);
    }
  });
  refocus(`org-edit-${into.id}`, 'orgs-heading');
}

// Members of one organisation.

function buildMembers() {
  fillForm($('invite-form'),
    inputField({ id: 'invite-email', name: 'email', label: 'members.email', type: 'email', autocomplete: 'off' }),
    inputField({ id: 'invite-name', name: 'name', label: 'members.name', maxLength: 120, autocomplete: 'off' }),
    selectField({ id: 'invite-role', name: 'role', label: 'members.role', hint: 'members.role_hint' }),
    selectField({ id: 'invite-lang', name: 'lang', label: 'members.lang', hint: 'members.lang_hint' }),
    formButtons(h('button', { type: 'submit', id: 'invite-send', className: 'primary', dataset: { i18n: 'members.invite' } })));
  $('invite-role').replaceChildren(...['editor', 'org_admin'].map((r) => new Option(t(`roles.${r}`), r)));
  $('invite-lang').replaceChildren(...['nb', 'en'].map((l) => new Option(t(`langs.${l}`), l)));
  $('invite-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('invite-send'), invite); });
  $('members-close').addEventListener('click', () => {
    const id = membersOf;
    hideMembers();
    refocus(`org-members-${id}`, 'orgs-heading');
  });
}

function hideMembers() {
  membersOf = null;
  $('members').hidden = true;
  $('member-list').replaceChildren();
}

async function showMembers(button, id) {
  await busy(button, async () => {
    membersOf = id;
    $('members-heading').textContent = t('members.heading', { org: orgName(id) });
    clearFieldErrors($('invite-form'), $('invite-errors'));
    $('invite-lang').value = currentLanguage() === 'en' ? 'en' : 'nb';
    showProblem('members-problem', null);
    $('members').hidden = false;
    await loadMembers();
  });
  $('members-heading').focus();
}

async function loadMembers() {
  const org = membersOf;
  let data;
  try {
    ({ data } = await api('GET', `/api/organisations/${org}/members`));
  } catch (e) {
    showProblem('members-problem', e);
    return;
  }
  if (org !== membersOf) return;
  const rows = data.members.map((m) => {
    const select = h('select', { id: `member-role-${m.person_id}`, 'aria-label': t('members.role_of', { name: m.name }) },
      ['editor', 'org_admin'].map((r) => new Option(t(`roles.${r}`), r)));
    select.value = m.role;
    return {
      key: `member-${m.person_id}`,
      cells: [
        m.name,
        h('span', { className: 'email', textContent: m.email }),
        t(`roles.${m.role}`),
        h('span', { className: m.pending ? 'state state-pending' : 'state', textContent: t(m.pending ? 'members.pending' : m.has_password ? 'members.active' : 'members.no_password') }),
        h('div', { className: 'row-actions' },
          select,
          rowButton({ key: `member-save-${m.person_id}`, text: t('members.change_role'), about: m.name, onClick: (b) => changeRole(b, m, select.value) }),
          rowButton({ key: `member-remove-${m.person_id}`, text: t(m.pending ? 'members.withdraw' : 'members.remove'), about: m.name, onClick: (b) => removeMember(b, m) })),
      ],
    };
  });
  $('member-list').replaceChildren(rows.length
    ? dataTable({
      id: 'member-table',
      caption: t('members.heading', { org: orgName(org) }),
      columns: ['name', 'email', 'role', 'status', 'actions'].map((c) => ({ label: t(`members.col_${c}`), className: `col-${c}` })),
      rows,
    })
    : h('p', { className: 'empty', textContent: t('members.none') }));
}

async function changeRole(button, m, role) {
  showProblem('members-problem', null);
  if (role === m.role) {
    say(t('members.role_same', { name: m.name, role: t(`roles.${role}`) }));
    return;
  }
  const key = button.dataset.key;
  await busy(button, async () => {
    try {
      await api('PATCH', `/api/organisations/${membersOf}/members/${m.person_id}`, { body: { role } });
      await loadMembers();
      say(t('members.role_changed', { name: m.name, role: t(`roles.${role}`) }));
    } catch (e) {
      showProblem('members-problem', e);
    }
  });
  refocus(key, 'members-heading');
}

async function removeMember(button, m) {
  const org = orgName(membersOf);
  const yes = await confirmDialog({
    heading: t(m.pending ? 'members.withdraw_heading' : 'members.remove_heading', { name: m.name, org }),
    lines: [t(m.pending ? 'members.withdraw_what' : 'members.remove_what', { name: m.name, org })],
    yes: t(m.pending ? 'members.withdraw' : 'members.remove'),
    opener: button,
  });
  if (!yes) return;
  showProblem('members-problem', null);
  await busy(button, async () => {
    try {
      await api('DELETE', `/api/organisations/${membersOf}/members/${m.person_id}`);
      await loadMembers();
      say(t(m.pending ? 'members.withdrawn' : 'members.removed', { name: m.name, org }));
    } catch (e) {
      showProblem('members-problem', e);
    }
  });
  refocus(button.dataset.key, 'members-heading');
}

const inviteFieldId = (f) => ({ email: 'invite-email', name: 'invite-name', role: 'invite-role', lang: 'invite-lang' }[f] ?? null);

async function invite() {
  const summary = $('invite-errors');
  clearFieldErrors($('invite-form'), summary);
  const body = {
    email: $('invite-email').value.trim(), name: $('invite-name').value.trim(),
    role: $('invite-role').value, lang: $('invite-lang').value,
  };
  try {
    await api('POST', `/api/organisations/${membersOf}/invitations`, { body });
  } catch (e) {
    showFieldErrors(summary, e, inviteFieldId);
    return;
  }
  $('invite-email').value = '';
  $('invite-name').value = '';
  await loadMembers();
  // People: the invited person has an account now.
  await loadPeople();
  say(t('members.invited', { email: body.email, org: orgName(membersOf) }));
}
