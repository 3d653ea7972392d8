// «Se svar på forslagene dine» (#mine-open, beside «Foreslå noe her»): a modal form
// (kit/dialog.js, kit/forms.js) with one field, the participation code, for a pupil who
// proposed with a code and gave no email. POST /api/proposals/mine {"code"}
// (docs/PARTICIPATION.md: the code goes in the body, never in an address) lists what became of
// each proposal made with it: waiting for the municipality's moderators; published (its status,
// supports and the answers, oldest first as written); not published (the moderator's reason);
// merged into another proposal.
//
// 403 (the code) and 429 (many tries from this network) are said in our words only; anything
// else unexpected gets our words and kit/problems.js's sentence for it (never the server's
// English detail).
// The results are announced and focus goes to their heading; closing the dialog forgets the
// code and the results, and focus goes back to the button.
//
// Titles, reasons and answers are Norwegian: marked lang="nb" in another language.

import { t, applyStatic, formatDate } from '../kit/i18n.js';
import { $, h, announce } from '../kit/dom.js';
import { modal } from '../kit/dialog.js';
import { textField, markField, showErrorSummary } from '../kit/forms.js';
import { problemText } from '../kit/problems.js';
import { proposalCategoryLabel, statusLabel, nbLang } from './proposals.js';
import { post } from './proposal-form.js';

let dialog = null;
let control = null;
let errors = []; // [{ name, key, problem }], shown in the summary (words by key: a language switch)
let shown = null; // the proposals of the last answer (drawn again after a language switch)
let busy = false;

function build() {
  const code = textField({
    id: 'mine-code', name: 'code', label: 'mine.code', hint: 'mine.code_hint', required: true,
    autocomplete: 'off', maxLength: 40,
  });
  const input = code.querySelector('input');
  input.spellcheck = false;
  input.setAttribute('autocapitalize', 'characters');
  const form = h('form', { id: 'mine-form', noValidate: true },
    code,
    h('div', { className: 'buttons' },
      h('button', { type: 'submit', id: 'mine-submit', className: 'primary', dataset: { i18n: 'mine.submit' } }),
      h('button', { type: 'button', id: 'mine-cancel', dataset: { i18n: 'mine.close' } })),
    h('p', { id: 'mine-progress', className: 'hint', role: 'status' }));
  dialog = h('dialog', { id: 'mine-dialog', className: 'proposal-dialog mine-dialog', 'aria-labelledby': 'mine-heading' },
    h('h2', { id: 'mine-heading', dataset: { i18n: 'mine.heading' } }),
    h('p', { className: 'hint', dataset: { i18n: 'mine.intro' } }),
    h('div', { id: 'mine-errors', className: 'error-summary', role: 'alert', hidden: true }),
    form,
    h('section', { id: 'mine-result', 'aria-labelledby': 'mine-result-heading', hidden: true },
      h('h3', { id: 'mine-result-heading', tabIndex: -1, dataset: { i18n: 'mine.result_heading' } }),
      h('p', { id: 'mine-count' }),
      h('ol', { id: 'mine-list', className: 'mine-list' })));
  document.body.append(dialog);
  applyStatic(dialog);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  // A code typed after an error: the error goes (a new one waits for the button).
  input.addEventListener('input', () => {
    if (errors.some((x) => x.name === 'code') && input.value.trim()) showErrors([]);
  });
  control = modal(dialog, {
    closers: [$('mine-cancel')],
    onClose: reset,
    fallback: () => $('mine-open'),
  });
}

function showErrors(list) {
  errors = list;
  markField('mine-code', null);
  showErrorSummary($('mine-errors'), t('mine.errors_heading', { count: list.length }),
    list.map((e) => ({ field: e.name ? `mine-${e.name}` : null, name: e.name, text: t(e.key) })));
  const items = $('mine-errors').querySelectorAll('li');
  list.forEach((e, i) => {
    if (!e.problem || !items[i]) return;
    items[i].append(' ', h('span', { className: 'problem-detail', textContent: `(${problemText(e.problem)})` }));
  });
}

function reset() {
  $('mine-form').reset();
  busy = false;
  $('mine-submit').disabled = false;
  $('mine-progress').textContent = '';
  showErrors([]);
  shown = null;
  showResult();
}

/** «3. desember 2026, Planlagt: …» for one answer (the text Norwegian). */
function answerItem(a) {
  return h('li', {},
    h('span', { className: 'answer-status', textContent: t('mine.answer', { date: formatDate(String(a.at ?? '').slice(0, 10)), status: statusLabel(a.status) }) }),
    a.answer ? ' ' : null,
    a.answer ? h('span', { className: 'answer-text', lang: nbLang(), textContent: a.answer }) : null);
}

/** What became of it, in words (and the reason or the answers where there are some). */
function outcome(p) {
  const parts = [];
  if (p.state === 'published') {
    parts.push(h('p', { className: 'mine-state', textContent: t('mine.published', { status: statusLabel(p.status), supports: t('proposals.supports', { count: p.supports ?? 0 }) }) }));
  } else if (p.state === 'rejected') {
    parts.push(h('p', { className: 'mine-state', textContent: t(p.reason ? 'mine.rejected' : 'mine.rejected_no_reason') }));
    if (p.reason) parts.push(h('p', { className: 'mine-reason', lang: nbLang(), textContent: p.reason }));
  } else if (p.state === 'merged') {
    parts.push(h('p', { className: 'mine-state', textContent: t('mine.merged') }));
  } else {
    parts.push(h('p', { className: 'mine-state', textContent: t('mine.pending') }));
  }
  const answers = Array.isArray(p.answers) ? p.answers : [];
  if (p.state === 'published' || answers.length) {
    parts.push(h('p', { className: 'answers-heading', textContent: t('proposals.answers') }));
    parts.push(answers.length
      ? h('ol', { className: 'answers' }, answers.map(answerItem))
      : h('p', { className: 'hint', textContent: t('proposals.no_answers') }));
  }
  return parts;
}

function item(p) {
  const facts = h('dl', { className: 'result-facts' },
    h('dt', { textContent: t('mine.fact_category') }), h('dd', { textContent: proposalCategoryLabel(p.category) }),
    h('dt', { textContent: t('mine.fact_sent') }), h('dd', { textContent: formatDate(String(p.created ?? '').slice(0, 10)) }));
  return h('li', { className: 'mine-item', dataset: { proposalId: String(p.id), state: String(p.state ?? '') } },
    h('h4', { className: 'mine-title', lang: nbLang(), textContent: p.title ?? '' }),
    facts,
    h('div', { className: 'mine-outcome' }, ...outcome(p)));
}

/** The results (or nothing), in the current language; returns the line to announce. */
function showResult() {
  const section = $('mine-result');
  if (!shown) {
    section.hidden = true;
    $('mine-count').textContent = '';
    $('mine-list').replaceChildren();
    return '';
  }
  const line = shown.length ? t('mine.count', { count: shown.length }) : t('mine.none');
  $('mine-count').textContent = line;
  $('mine-list').replaceChildren(...shown.map(item));
  $('mine-list').hidden = !shown.length;
  section.hidden = false;
  return line;
}

async function submit() {
  if (busy) return;
  const code = $('mine-code').value.trim();
  if (!code) {
    shown = null;
    showResult();
    showErrors([{ name: 'code', key: 'mine.error_none' }]);
    $('mine-code').focus();
    return;
  }
  busy = true;
  $('mine-submit').disabled = true;
  $('mine-progress').textContent = t('mine.sending');
  const r = await post('/api/proposals/mine', { code });
  busy = false;
  $('mine-submit').disabled = false;
  $('mine-progress').textContent = '';
  if (r.status === 200 && Array.isArray(r.body?.proposals)) {
    showErrors([]);
    shown = r.body.proposals;
    const line = showResult();
    $('mine-result-heading').focus();
    announce(`${t('mine.result_heading')}. ${line}`);
    return;
  }
  shown = null;
  showResult();
  let list;
  if (r.status === 403) list = [{ name: 'code', key: 'mine.error_code' }];
  else if (r.status === 429) list = [{ name: null, key: 'mine.error_busy' }];
  else list = [{ name: null, key: 'mine.error_failed', problem: r.problem }];
  showErrors(list);
  (list[0].name ? $('mine-code') : $('mine-submit')).focus();
}

/** Opens the dialog; `opener` gets focus back when it closes. */
export function openMine(opener) {
  if (!dialog) build();
  reset();
  control.open(opener ?? null);
  $('mine-code').focus();
}

/** The dialog's strings in the current language (also after a language switch). */
export function relabelMine() {
  if (!dialog) return;
  applyStatic(dialog);
  showResult();
  if (errors.length) showErrors(errors);
}

/** The button beside «Foreslå noe her». */
export function wireMine() {
  const open = $('mine-open');
  open?.addEventListener('click', () => openMine(open));
}
