// People: everyone with an account (name, email, staff role, disabled, organisations), their
// staff role set, their account disabled or enabled (never one's own: the server refuses it,
// so the page does not offer it), and a new member of staff invited by email.

import { $, h } from '../kit/dom.js';
import { t, currentLanguage, formatList } from '../kit/i18n.js';
import { api } from '../org/api.js';
import { inputField, selectField, formButtons, fillForm } from '../org/fields.js';
import { admin, changed, orgName } from './context.js';
import {
  dataTable, rowButton, busy, refocus, showProblem, confirmDialog, showFieldErrors,
  clearFieldErrors, say, formDialog,
} from './ui.js';

const STAFF = ['admin', 'moderator', ''];
let staffDialog;

export async function loadPeople() {
  const { data } = await api('GET', '/api/people');
  admin.people = [...data.people].sort((a, b) => a.name.localeCompare(b.name, 'nb'));
  renderPeople();
  changed('people');
}

/** Redraws the list (after the organisations' names changed, say). */
export function renderPeople() {
  const rows = admin.people.map((p) => {
    const self = p.id === admin.me.id;
    const orgs = p.memberships.map((m) => t('people.membership', { org: orgName(m.org_id), role: t(`roles.${m.role}`) }));
    let actions;
    if (self) actions = h('span', { className: 'hint', textContent: t('people.self') });
    else {
      const select = h('select', { id: `staff-role-${p.id}`, 'aria-label': t('people.role_of', { name: p.name }) },
        STAFF.map((r) => new Option(t(`staff.${r || 'none'}`), r)));
      select.value = p.staff_role ?? '';
      actions = h('div', { className: 'row-actions' },
        select,
        rowButton({ key: `person-role-${p.id}`, text: t('people.save_role'), about: p.name, onClick: (b) => setRole(b, p, select.value) }),
        rowButton({ key: `person-disabled-${p.id}`, text: t(p.disabled ? 'people.enable' : 'people.disable'), about: p.name, onClick: (b) => toggleDisabled(b, p) }));
    }
    const status = p.disabled ? 'disabled' : p.has_password ? 'active' : 'invited';
    return {
      key: `person-${p.id}`,
      className: p.disabled ? 'inactive' : null,
      cells: [
        h('span', {}, p.name, self ? h('span', { className: 'badge', textContent: t('people.you') }) : null),
        h('span', { className: 'email', textContent: p.email }),
        t(`staff.${p.staff_role ?? 'none'}`),
        h('span', { className: `state state-${status}`, textContent: t(`people.state_${status}`) }),
        orgs.length ? formatList(orgs) : h('span', { className: 'hint', textContent: t('people.no_orgs') }),
        actions,
      ],
    };
  });
  $('people-list').replaceChildren(dataTable({
    id: 'people-table',
    caption: t('people.caption', { count: rows.length }),
    columns: ['name', 'email', 'staff', 'status', 'orgs', 'actions'].map((c) => ({ label: t(`people.col_${c}`), className: `col-${c}` })),
    rows,
  }));
}

export function buildPeople() {
  const cancel = h('button', { type: 'button', dataset: { i18n: 'common.cancel' } });
  fillForm($('staff-form'),
    inputField({ id: 'staff-email', name: 'email', label: 'people.email', type: 'email', autocomplete: 'off' }),
    inputField({ id: 'staff-name', name: 'name', label: 'people.name', maxLength: 120, autocomplete: 'off' }),
    selectField({ id: 'staff-role', name: 'staff_role', label: 'people.staff_role', hint: 'people.staff_role_hint' }),
    selectField({ id: 'staff-lang', name: 'lang', label: 'members.lang', hint: 'members.lang_hint' }),
    formButtons(h('button', { type: 'submit', id: 'staff-send', className: 'primary', dataset: { i18n: 'people.invite' } }), cancel));
  $('staff-role').replaceChildren(...['moderator', 'admin'].map((r) => new Option(t(`staff.${r}`), r)));
  $('staff-lang').replaceChildren(...['nb', 'en'].map((l) => new Option(t(`langs.${l}`), l)));
  staffDialog = formDialog('staff-dialog', cancel);
  $('staff-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('staff-send'), inviteStaff); });
  $('staff-new').addEventListener('click', (e) => {
    clearFieldErrors($('staff-form'), $('staff-errors'));
    $('staff-form').reset();
    $('staff-lang').value = currentLanguage() === 'en' ? 'en' : 'nb';
    staffDialog.open(e.currentTarget);
    $('staff-email').focus();
  });
  admin.listeners.push((what) => { if (what === 'orgs' && admin.me) renderPeople(); });
}

async function setRole(button, p, value) {
  showProblem('people-problem', null);
  const role = value || null;
  const label = t(`staff.${role ?? 'none'}`);
  if (role === (p.staff_role ?? null)) {
    say(t('people.role_same', { name: p.name, role: label }));
    return;
  }
  const key = button.dataset.key;
  await busy(button, async () => {
    try {
      await api('PATCH', `/api/people/${p.id}`, { body: { staff_role: role } });
      await loadPeople();
      say(t('people.role_changed', { name: p.name, role: label }));
    } catch (e) {
      showProblem('people-problem', e);
    }
  });
  refocus(key, 'people-heading');
}

async function toggleDisabled(button, p) {
  const disable = !p.disabled;
  if (disable) {
    const yes = await confirmDialog({
      heading: t('people.disable_heading', { name: p.name }),
      lines: [t('people.disable_what', { name: p.name })],
      yes: t('people.disable'),
      opener: button,
    });
    if (!yes) return;
  }
  showProblem('people-problem', null);
  const key = button.dataset.key;
  await busy(button, async () => {
    try {
      await api('PATCH', `/api/people/${p.id}`, { body: { disabled: disable } });
      await loadPeople();
      say(t(disable ? 'people.disabled_done' : 'people.enabled_done', { name: p.name }));
    } catch (e) {
      showProblem('people-problem', e);
    }
  });
  refocus(key, 'people-heading');
}

const staffFieldId = (f) => ({ email: 'staff-email', name: 'staff-name', staff_role: 'staff-role', lang: 'staff-lang' }[f] ?? null);

async function inviteStaff() {
  const summary = $('staff-errors');
  clearFieldErrors($('staff-form'), summary);
  const body = {
    email: $('staff-email').value.trim(), name: $('staff-name').value.trim(),
    staff_role: $('staff-role').value, lang: $('staff-lang').value,
  };
  try {
    await api('POST', '/api/people', { body });
  } catch (e) {
    showFieldErrors(summary, e, staffFieldId, { email: 'errors.staff_email_taken' });
    return;
  }
  await loadPeople();
  await staffDialog.close();
  say(t('people.invited', { email: body.email }));
}
