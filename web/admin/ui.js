// What the staff page's sections share: tables that stack into cards on a narrow screen,
// buttons that are disabled while their request runs (and focus that finds its way back when
// the list is drawn again), a confirmation dialog with a heading, the server's field errors
// beside their fields, a section's problem line, and times in Norway's time zone.
//
// Candidates for web/kit later: `dataTable`, `confirmDialog`, `showFieldErrors`, `busy`, `freeText`,
// `osloStamp` (see the report that came with this page).

import { $, h, announce } from '../kit/dom.js';
import { t, has, currentLocale, currentLanguage } from '../kit/i18n.js';
import { modal } from '../kit/dialog.js';
import { showErrorSummary, markField } from '../kit/forms.js';
import { ApiError } from '../org/api.js';

/**
 * A table whose rows become cards below 48 rem (admin.css): each cell names its column
 * (`data-label`), the first cell is the row's header. The explicit roles keep the table a
 * table for screen readers when the narrow layout changes its CSS display.
 * `columns`: `[{ label, className }]`; `rows`: `[{ key, className, cells: [node|string] }]`.
 */
export function dataTable({ id, caption, columns, rows }) {
  const head = h('thead', { role: 'rowgroup' }, h('tr', { role: 'row' },
    columns.map((c) => h('th', { scope: 'col', role: 'columnheader', className: c.className ?? null, textContent: c.label }))));
  const body = h('tbody', { role: 'rowgroup' }, rows.map((r) => h('tr', {
    role: 'row', className: r.className ?? null, dataset: { row: r.key },
  }, r.cells.map((cell, i) => {
    const props = {
      role: i === 0 ? 'rowheader' : 'cell', className: columns[i].className ?? null,
      dataset: { label: columns[i].label },
    };
    if (i === 0) props.scope = 'row';
    return h(i === 0 ? 'th' : 'td', props, cell ?? '');
  }))));
  return h('div', { className: 'table-wrap' },
    h('table', { id, className: 'data', role: 'table' },
      h('caption', { className: 'visually-hidden', textContent: caption }), head, body));
}

/** A button whose visible text is followed by hidden words naming what it acts on. */
export function rowButton({ key, text, about, className = 'small', onClick }) {
  return h('button', { type: 'button', className, dataset: { key }, on: { click: (e) => onClick(e.currentTarget) } },
    text, about ? h('span', { className: 'visually-hidden', textContent: ` ${about}` }) : null);
}

/**
 * Runs `work()` with `button` disabled (no second request while the first runs). Returns
 * its result; a second press meanwhile is ignored (undefined).
 */
export async function busy(button, work) {
  if (!button || button.disabled) return undefined;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/**
 * Focus after a list was drawn again: the control with `data-key="key"` (the same row's
 * button), else the element with id `fallback` (a heading with tabindex=-1).
 */
export function refocus(key, fallback) {
  const el = key ? document.querySelector(`[data-key="${CSS.escape(key)}"]:not([disabled])`) : null;
  const target = el ?? (fallback ? $(fallback) : null);
  target?.focus();
}

/**
 * A section's problem line (role=alert), from an ApiError: the language file's words for its
 * status (`problems.{status}`, or a known case), then the server's `detail` (in English).
 * `null` clears it.
 */
export function showProblem(id, error) {
  const el = $(id);
  if (!el) return;
  el.replaceChildren();
  el.hidden = !error;
  if (!error) return;
  if (!(error instanceof ApiError)) {
    el.append(t('common.failed'));
    return;
  }
  const known = knownProblem(error);
  if (known) {
    el.append(t(known));
    return;
  }
  if (has(`problems.${error.status}`)) el.append(t(`problems.${error.status}`), ' ');
  el.append(h('span', { lang: 'en', textContent: error.message }));
}

/** Problems the page can say in its own words. */
function knownProblem(error) {
  if (/must keep an admin/i.test(error.message) && has('problems.keep_admin')) return 'problems.keep_admin';
  if (/revoked already/i.test(error.message) && has('problems.token_gone')) return 'problems.token_gone';
  return null;
}

/** The words for an ApiError as plain text (an error summary's line). */
export function problemText(e) {
  if (!(e instanceof ApiError)) return t('common.failed');
  const known = knownProblem(e);
  if (known) return t(known);
  return has(`problems.${e.status}`) ? `${t(`problems.${e.status}`)} ${e.message}` : e.message;
}

let confirmModal;

/**
 * Asks a yes/no question in the page's confirmation dialog: `heading`, `lines` (paragraphs),
 * `yes` (the button's words). Resolves true for yes; focus goes back to `opener`.
 */
export function confirmDialog({ heading, lines, yes, opener }) {
  const dialog = $('confirm-dialog');
  confirmModal ??= modal(dialog, { closers: [$('confirm-no')] });
  $('confirm-heading').textContent = heading;
  $('confirm-text').replaceChildren(...lines.map((line) => h('p', { textContent: line })));
  $('confirm-yes').textContent = yes;
  return new Promise((ok) => {
    let answer = false;
    const onYes = () => { answer = true; dialog.close(); };
    $('confirm-yes').addEventListener('click', onYes, { once: true });
    dialog.addEventListener('close', () => {
      $('confirm-yes').removeEventListener('click', onYes);
      ok(answer);
    }, { once: true });
    confirmModal.open(opener);
    // The safe answer has the focus first.
    $('confirm-no').focus();
  });
}

/**
 * The field errors of an ApiError: its `errors[{field, reason}]`, or a 400 whose detail names
 * one parameter ("title: 3 to 120 characters", as the API's invalid-parameter problems say).
 */
export function fieldErrorsOf(error) {
  if (!(error instanceof ApiError)) return [];
  if (error.errors.length) return error.errors;
  const m = error.status === 400 ? /^([a-z_]+): (.+)$/s.exec(error.message) : null;
  return m ? [{ field: m[1], reason: m[2] }] : [];
}

/**
 * Shows an ApiError in a form: each `errors[{field, reason}]` beside its input (`fieldId(field)`)
 * and in the summary. The text: the language file's `errors.{field}_taken` when the reason says
 * the value is in use (or `taken[field]`), else `words[field]` or `errors.{field}`, else the
 * server's reason; without field errors, the problem's detail. Focuses the summary.
 */
export function showFieldErrors(summary, error, fieldId, taken = {}, words = {}) {
  const fields = fieldErrorsOf(error);
  const list = fields.length
    ? fields
    : [{ field: null, reason: error instanceof ApiError ? problemText(error) : t('common.failed') }];
  const seen = new Set();
  const items = list.map(({ field, reason }) => {
    const inUse = /already|has this name|another organisation/i.test(reason ?? '');
    const takenKey = taken[field] ?? `errors.${field}_taken`;
    const key = field && (inUse && has(takenKey) ? takenKey : words[field] ?? `errors.${field}`);
    const text = key && has(key) ? t(key) : reason;
    let id = field ? fieldId(field) : null;
    if (!id || !$(id) || seen.has(id)) id = null;
    else seen.add(id);
    return { field: id, text };
  });
  showErrorSummary(summary, t('errors.heading', { count: items.length }), items);
  summary.focus();
}

/** Shows errors found before sending (`[{ field: input id, text }]`) and focuses the summary. */
export function showClientErrors(summary, errors) {
  showErrorSummary(summary, t('errors.heading', { count: errors.length }), errors);
  summary.focus();
}

/**
 * Free text from the API (a resident's title or proposal, an answer): written in Norwegian,
 * so marked `lang="nb"` when the page is in another language.
 */
export function freeText(tag, text, props = {}) {
  return h(tag, { ...props, lang: currentLanguage() === 'nb' ? null : 'nb', textContent: text ?? '' });
}

/** Clears a form's field errors and its summary. */
export function clearFieldErrors(form, summary) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
    if ($(`${el.id}-error`)) markField(el.id, null);
    else el.removeAttribute('aria-invalid');
  }
  showErrorSummary(summary, '', []);
}

/** Announces `text` once the list shows the change (call it after drawing). */
export const say = (text) => announce(text);

/** A moment (ms since 1970) in Norway's time zone, as `<time>`: «30.11.2026 kl. 14.05». */
export function osloStamp(ms) {
  if (ms == null) return '';
  const d = new Date(ms);
  const parts = Object.fromEntries(new Intl.DateTimeFormat(currentLocale(), {
    day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
    timeZone: 'Europe/Oslo', hourCycle: 'h23',
  }).formatToParts(d).filter((p) => p.type !== 'literal').map((p) => [p.type, p.value]));
  return h('time', { dateTime: d.toISOString(), textContent: t('time.stamp', parts) });
}

/**
 * A dialog with a form: opened by `open(opener, fill)`, closed by its cancel button or Escape.
 * `fallback()`: where focus goes when the opener is gone (the list was drawn again meanwhile).
 */
export function formDialog(dialogId, cancelButton, onClose, fallback) {
  const m = modal($(dialogId), { closers: [cancelButton], onClose, fallback });
  const dialog = $(dialogId);
  return {
    open: (opener) => m.open(opener),
    /** Closes it; resolves once focus is back on the opener (the 'close' event has run). */
    close: () => new Promise((ok) => {
      if (!dialog.open) {
        ok();
        return;
      }
      dialog.addEventListener('close', () => ok(), { once: true });
      dialog.close();
    }),
  };
}
