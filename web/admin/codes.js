// Participation codes (issue 15, docs/PARTICIPATION.md): a batch for a school class, a youth
// club or a nærutvalg meeting (a label, how many codes, proposals and supports per code, the
// last valid day) → POST /api/participation/batches → the codes shown this once, as a sheet to
// print (the label, the last day and a short text for the pupils, then one slip per code: a
// box to cut out with the code big and, under it, where to go and «Foreslå noe her», so that
// every pupil's slip says what to do with it) or to copy (one code per line); they leave the
// page with "Ferdig" or a reload and cannot be shown again. Below, every
// batch with what its codes have used (GET /api/participation/batches; never the codes).

import { $, h, copyText } from '../kit/dom.js';
import { abs } from '../kit/base.js';
import { t, formatDate, formatNumber, currentLanguage } from '../kit/i18n.js';
import { api, osloDate } from '../org/api.js';
import { inputField, formButtons, fillForm, updateCounts } from '../org/fields.js';
import { chars } from '../kit/forms.js';
import { admin } from './context.js';
import {
  dataTable, busy, showProblem, showFieldErrors, showClientErrors, clearFieldErrors, say, osloStamp, freeText,
} from './ui.js';

const LIMITS = { count: [1, 200], proposals: [0, 20], supports: [0, 100] };
const DEFAULTS = { count: 30, proposals: 1, supports: 10, days: 60 };

/** The codes on the page now (only between making them and "Ferdig"). */
let sheet = null;

export function buildCodes() {
  const number = (name, hint) => inputField({
    id: `codes-${name}`, name, label: `codes.${name}`, hint, type: 'number', autocomplete: 'off',
    attrs: { min: LIMITS[name][0], max: LIMITS[name][1], step: 1, inputmode: 'numeric' },
  });
  fillForm($('codes-form'),
    inputField({ id: 'codes-label', name: 'label', label: 'codes.label', hint: 'codes.label_hint', limit: 80, autocomplete: 'off' }),
    h('div', { className: 'filter-row' },
      number('count', 'codes.count_hint'),
      number('proposals', 'codes.proposals_hint'),
      number('supports', 'codes.supports_hint')),
    inputField({ id: 'codes-expires', name: 'expires', label: 'codes.expires', hint: 'codes.expires_hint', type: 'date', autocomplete: 'off' }),
    formButtons(h('button', { type: 'submit', id: 'codes-create', className: 'primary', dataset: { i18n: 'codes.create' } })));
  resetForm();
  $('codes-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('codes-create'), create); });
  $('codes-print').addEventListener('click', () => window.print());
  $('codes-copy').addEventListener('click', async () => {
    if (!sheet) return;
    const ok = await copyText(sheetText());
    $('codes-copy-status').textContent = t(ok ? 'codes.copied' : 'codes.copy_failed');
    if (!ok) getSelection()?.selectAllChildren($('code-list'));
  });
  $('codes-clear').addEventListener('click', () => {
    clearSheet();
    $('codes-heading').focus();
    say(t('codes.cleared'));
  });
  window.app.codes = { get shown() { return sheet ? [...sheet.codes] : []; } };
}

function resetForm() {
  $('codes-form').reset();
  $('codes-count').value = String(DEFAULTS.count);
  $('codes-proposals').value = String(DEFAULTS.proposals);
  $('codes-supports').value = String(DEFAULTS.supports);
  $('codes-expires').min = osloDate(0);
  $('codes-expires').max = osloDate(365);
  $('codes-expires').value = osloDate(DEFAULTS.days);
  updateCounts($('codes-form'));
}

export async function loadBatches() {
  showProblem('codes-problem', null);
  let batches;
  try {
    ({ batches } = (await api('GET', '/api/participation/batches')).data);
  } catch (e) {
    showProblem('codes-problem', e);
    return;
  }
  admin.batches = [...batches].sort((a, b) => b.id - a.id);
  renderBatches();
}

function renderBatches() {
  const today = osloDate(0);
  const rows = admin.batches.map((b) => {
    const expired = b.expires < today;
    return {
      key: `batch-${b.id}`,
      className: expired ? 'inactive' : null,
      cells: [
        freeText('span', b.label),
        formatNumber(b.count),
        t('codes.per', {
          proposals: t('codes.uses_proposals', { count: b.proposals }),
          supports: t('codes.uses_supports', { count: b.supports }),
        }),
        h('span', {}, formatDate(b.expires), expired ? h('span', { className: 'badge', textContent: t('codes.expired') }) : null),
        b.created ? osloStamp(Date.parse(b.created)) : '',
        t('codes.used', {
          proposals: b.proposals_used ?? 0, proposals_total: b.count * b.proposals,
          supports: b.supports_used ?? 0, supports_total: b.count * b.supports,
        }),
      ],
    };
  });
  $('batch-list').replaceChildren(rows.length
    ? dataTable({
      id: 'batch-table',
      caption: t('codes.caption', { count: rows.length }),
      columns: ['label', 'count', 'per', 'expires', 'created', 'used'].map((c) => ({ label: t(`codes.col_${c}`), className: `col-${c}` })),
      rows,
    })
    : h('p', { className: 'empty', textContent: t('codes.none') }));
}

const fieldId = (f) => ({ label: 'codes-label', count: 'codes-count', proposals: 'codes-proposals', supports: 'codes-supports', expires: 'codes-expires' }[f] ?? null);

/** The form's values, or the errors found before sending. */
function read() {
  const errors = [];
  const label = $('codes-label').value.trim();
  if (chars(label) < 2 || chars(label) > 80) errors.push({ field: 'codes-label', text: t('errors.batch_label') });
  const body = { label };
  for (const [name, [min, max]] of Object.entries(LIMITS)) {
    const raw = $(`codes-${name}`).value.trim();
    const n = Number(raw);
    if (!/^\d+$/.test(raw) || n < min || n > max) errors.push({ field: `codes-${name}`, text: t(`errors.${name}`) });
    body[name] = n;
  }
  const expires = $('codes-expires').value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(expires) || expires < osloDate(0) || expires > osloDate(366)) {
    errors.push({ field: 'codes-expires', text: t('errors.expires') });
  }
  body.expires = expires;
  return { body, errors };
}

async function create() {
  const summary = $('codes-errors');
  clearFieldErrors($('codes-form'), summary);
  const { body, errors } = read();
  if (errors.length) {
    showClientErrors(summary, errors);
    return;
  }
  let made;
  try {
    ({ data: made } = await api('POST', '/api/participation/batches', { body }));
  } catch (e) {
    showFieldErrors(summary, e, fieldId, {}, { label: 'errors.batch_label' });
    return;
  }
  const batch = { ...body, ...(made.batch ?? {}) };
  showSheet(batch, made.codes ?? []);
  resetForm();
  await loadBatches();
  $('code-sheet-heading').focus();
  say(t('codes.created', { count: sheet.codes.length, label: batch.label }));
}

/** Where the pupils go: this site's front page (in the page's language when not Bokmål). */
function siteAddress() {
  return abs(currentLanguage() === 'nb' ? '/' : `/?lang=${currentLanguage()}`);
}

function showSheet(batch, codes) {
  sheet = { batch, codes };
  const uses = t('codes.uses', {
    proposals: t('codes.uses_proposals', { count: batch.proposals }),
    supports: t('codes.uses_supports', { count: batch.supports }),
  });
  // What each cut-out slip says under its code.
  const slip = t('codes.slip', { site: siteAddress(), date: formatDate(batch.expires) });
  $('code-print').replaceChildren(
    h('h4', { className: 'print-heading' }, t('codes.print_heading', { label: '' }).replace(/\s*$/, ' '), freeText('span', batch.label)),
    h('p', { textContent: t('codes.valid_until', { date: formatDate(batch.expires) }) }),
    h('p', { className: 'pupils', textContent: t('codes.pupils', { site: siteAddress() }) }),
    h('p', { textContent: uses }),
    h('ol', { id: 'code-list', className: 'code-list', 'aria-label': t('codes.list') },
      codes.map((c) => h('li', { className: 'code-slip' },
        h('code', { className: 'slip-code', textContent: c }),
        h('p', { className: 'slip-help', textContent: slip })))));
  $('codes-copy-status').textContent = '';
  $('code-sheet').hidden = false;
  document.body.classList.add('has-codes');
}

function sheetText() {
  const { batch, codes } = sheet;
  return [
    t('codes.print_heading', { label: batch.label }),
    t('codes.valid_until', { date: formatDate(batch.expires) }),
    t('codes.pupils', { site: siteAddress() }),
    '',
    ...codes,
  ].join('\n');
}

export function clearSheet() {
  sheet = null;
  $('code-print').replaceChildren();
  $('codes-copy-status').textContent = '';
  $('code-sheet').hidden = true;
  document.body.classList.remove('has-codes');
}
