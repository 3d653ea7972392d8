// The organisations' form fields, on ../kit/forms.js: text fields of other input types, select
// fields with the same label, hint and error line, and the server's field errors (422
// `errors: [{field, reason}]`) shown beside the fields and in the form's error summary.

import { $, h } from '../kit/dom.js';
import { t, has, applyStatic } from '../kit/i18n.js';
import { textField, markField, showErrorSummary } from '../kit/forms.js';

/** A kit text field whose input is of `type` (email, password, number, date, url, time). */
export function inputField({ type = 'text', attrs = {}, hint, ...options }) {
  const field = textField({ optional: 'common.optional', hint, ...options });
  const input = field.querySelector('input, textarea');
  if (input.tagName === 'INPUT') input.type = type;
  for (const [k, v] of Object.entries(attrs)) if (v != null) input.setAttribute(k, v);
  if (!hint) {
    const p = field.querySelector('.hint');
    p.removeAttribute('data-i18n');
    p.hidden = true;
  }
  return field;
}

/** A select with label and error line (`{id}-error`), options `[value, label]`. */
export function selectField({ id, name, label, hint, options = [] }) {
  const select = h('select', { id, name, 'aria-describedby': hint ? `${id}-hint` : null },
    options.map(([v, text]) => new Option(text, v)));
  return h('div', { className: 'field' },
    h('label', { htmlFor: id, dataset: { i18n: label } }),
    hint ? h('p', { id: `${id}-hint`, className: 'hint', dataset: { i18n: hint } }) : null,
    h('p', { id: `${id}-error`, className: 'field-error', hidden: true }),
    select);
}

/** The form's buttons: a submit (`primary`) and any others. */
export const formButtons = (...buttons) => h('div', { className: 'buttons' }, buttons);

/** Clears every field error of `form` and its summary. */
export function clearErrors(form, summary) {
  for (const el of form.querySelectorAll('[aria-invalid="true"]')) {
    if ($(`${el.id}-error`)) markField(el.id, null);
    else el.removeAttribute('aria-invalid');
  }
  showErrorSummary(summary, '', []);
}

/**
 * Shows an ApiError's field errors. `fieldId(field)`: the input id for a server field name
 * (`schedule.sessions[1].end`), or null. The message: the language file's `errors.{key}`
 * (key: the field without indices, dots as _), else the server's reason. Focuses the summary.
 */
export function showServerErrors(summary, error, fieldId) {
  const list = error.errors.length ? error.errors : [{ field: null, reason: error.message }];
  const items = list.map(({ field, reason }) => {
    const key = `errors.${(field ?? '').replace(/\[\d+\]/g, '').replace(/\./g, '_')}`;
    const text = field && has(key) ? t(key) : reason;
    const id = field ? fieldId(field) : null;
    return { field: id && $(id) ? id : null, text };
  });
  // Two errors on one input: the first one stays beside it.
  const seen = new Set();
  for (const i of items) {
    if (i.field && seen.has(i.field)) i.field = null;
    else if (i.field) seen.add(i.field);
  }
  showErrorSummary(summary, t('errors.heading', { count: items.length }), items);
  summary.focus();
}

/** Builds `fields` into `form` and fills their texts. */
export function fillForm(form, ...children) {
  form.append(...children.flat());
  applyStatic(form);
  return form;
}
