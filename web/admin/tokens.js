// API tokens for machines: the list (organisation, role, label, revoked), a new one (shown
// once, in a dialog with a copy button and a warning), and revoking one.

import { $, h, copyText } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { api } from '../org/api.js';
import { inputField, selectField, formButtons, fillForm } from '../org/fields.js';
import { admin, orgName, sortedOrgs } from './context.js';
import {
  dataTable, rowButton, busy, refocus, showProblem, confirmDialog, showFieldErrors,
  clearFieldErrors, say, formDialog,
} from './ui.js';

let tokens = [];
let newDialog;
let shownDialog;

export async function loadTokens() {
  const { data } = await api('GET', '/api/tokens');
  tokens = [...data.tokens].sort((a, b) => Number(a.revoked) - Number(b.revoked) || b.id - a.id);
  admin.tokens = tokens;
  renderTokens();
}

function renderTokens() {
  const rows = tokens.map((k) => {
    const name = k.label ? t('tokens.named', { id: k.id, label: k.label }) : t('tokens.unnamed', { id: k.id });
    return {
      key: `token-${k.id}`,
      className: k.revoked ? 'inactive' : null,
      cells: [
        name,
        orgName(k.org_id),
        t(`tokens.role_${k.role}`),
        h('span', { className: k.revoked ? 'state state-off' : 'state', textContent: t(k.revoked ? 'tokens.revoked' : 'tokens.active') }),
        k.revoked ? '' : rowButton({ key: `token-revoke-${k.id}`, text: t('tokens.revoke'), about: name, onClick: (b) => revoke(b, k, name) }),
      ],
    };
  });
  $('token-list').replaceChildren(rows.length
    ? dataTable({
      id: 'token-table',
      caption: t('tokens.caption', { count: rows.length }),
      columns: ['token', 'org', 'role', 'status', 'actions'].map((c) => ({ label: t(`tokens.col_${c}`), className: `col-${c}` })),
      rows,
    })
    : h('p', { className: 'empty', textContent: t('tokens.none') }));
}

export function buildTokens() {
  const cancel = h('button', { type: 'button', dataset: { i18n: 'common.cancel' } });
  fillForm($('token-form'),
    selectField({ id: 'token-org', name: 'org_id', label: 'tokens.org' }),
    selectField({ id: 'token-role', name: 'role', label: 'tokens.role', hint: 'tokens.role_hint' }),
    inputField({ id: 'token-label', name: 'label', label: 'tokens.label', hint: 'tokens.label_hint', required: false, maxLength: 120, autocomplete: 'off' }),
    formButtons(h('button', { type: 'submit', id: 'token-create', className: 'primary', dataset: { i18n: 'tokens.create' } }), cancel));
  $('token-role').replaceChildren(...['editor', 'admin'].map((r) => new Option(t(`tokens.role_${r}`), r)));
  newDialog = formDialog('token-dialog', cancel);
  // The token leaves the page when its dialog closes.
  shownDialog = formDialog('token-shown', $('token-shown-close'), () => {
    $('token-value').value = '';
    $('token-copy-status').textContent = '';
  });
  $('token-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('token-create'), create); });
  $('token-copy').addEventListener('click', async () => {
    const ok = await copyText($('token-value').value);
    $('token-copy-status').textContent = t(ok ? 'tokens.copied' : 'tokens.copy_failed');
    if (!ok) $('token-value').select();
  });
  $('token-new').addEventListener('click', (e) => {
    clearFieldErrors($('token-form'), $('token-errors'));
    $('token-form').reset();
    const active = sortedOrgs().filter((o) => o.active);
    $('token-org').replaceChildren(new Option(t('tokens.choose_org'), ''), ...active.map((o) => new Option(o.name, String(o.id))));
    newDialog.open(e.currentTarget);
    $('token-org').focus();
  });
  admin.listeners.push((what) => { if (what === 'orgs' && admin.me) renderTokens(); });
}

const tokenFieldId = (f) => ({ org_id: 'token-org', role: 'token-role', label: 'token-label' }[f] ?? null);

async function create() {
  const summary = $('token-errors');
  clearFieldErrors($('token-form'), summary);
  const org = Number($('token-org').value);
  const label = $('token-label').value.trim();
  let made;
  try {
    ({ data: made } = await api('POST', '/api/tokens', { body: { org_id: org || 0, role: $('token-role').value, label: label || null } }));
  } catch (e) {
    showFieldErrors(summary, e, tokenFieldId);
    return;
  }
  await loadTokens();
  const opener = $('token-new');
  await newDialog.close();
  $('token-value').value = made.token;
  $('token-shown-for').textContent = t('tokens.shown_for', { org: orgName(made.org_id), role: t(`tokens.role_${made.role}`) });
  shownDialog.open(opener);
  $('token-value').select();
  $('token-value').focus();
  say(t('tokens.created', { org: orgName(made.org_id) }));
}

async function revoke(button, k, name) {
  const yes = await confirmDialog({
    heading: t('tokens.revoke_heading', { name }),
    lines: [t('tokens.revoke_what', { org: orgName(k.org_id) })],
    yes: t('tokens.revoke'),
    opener: button,
  });
  if (!yes) return;
  showProblem('tokens-problem', null);
  await busy(button, async () => {
    try {
      await api('DELETE', `/api/tokens/${k.id}`);
      await loadTokens();
      say(t('tokens.revoked_done', { name }));
    } catch (e) {
      showProblem('tokens-problem', e);
    }
  });
  refocus(null, 'tokens-heading');
}
