// The organisations' form fields, on ../kit/forms.js: text fields of other input types, select
// fields with the same label, hint and error line, a character count for limited fields, the
// server's field errors (422 `errors: [{field, reason}]`) shown beside the fields and in the
// form's error summary, what any other failed request means in words, and buttons that are
// disabled while their request is under way (so a double click saves once).

import { $, h, announce } from '../kit/dom.js';
import { t, has, applyStatic } from '../kit/i18n.js';
import { textField, markField, showErrorSummary, chars } from '../kit/forms.js';
import { ApiError } from './api.js';

/**
 * A kit text field whose input is of `type` (email, password, number, date, url, time).
 * `limit`: at most this many characters; the hint counts them as the person types (the
 * input is never cut short).
 */
export function inputField({ type = 'text', attrs = {}, hint, limit, ...options }) {
  const field = textField({ optional: 'common.optional', hint, ...options });
  const input = field.querySelector('input, textarea');
  if (input.tagName === 'INPUT') input.type = type;
  for (const [k, v] of Object.entries(attrs)) if (v != null) input.setAttribute(k, v);
  const p = field.querySelector('.hint');
  if (limit) {
    input.removeAttribute('maxlength');
    input.dataset.limit = String(limit);
    const count = h('span', { className: 'count' });
    p.removeAttribute('data-i18n');
    p.replaceChildren(...(hint ? [h('span', { dataset: { i18n: hint } }), ' '] : []), count);
    let over = false;
    const update = () => {
      const n = chars(input.value);
      count.textContent = t('common.count', { count: n, limit });
      count.classList.toggle('over', n > limit);
      if (n > limit && !over) announce(t('errors.too_long', { count: n, limit }));
      over = n > limit;
    };
    input.addEventListener('input', update);
    input.addEventListener('change', update);
    field.updateCount = update;
  } else if (!hint) {
    p.removeAttribute('data-i18n');
    p.hidden = true;
  }
  return field;
}

/** Refreshes the character counts under `root` (after a form is filled by script). */
export function updateCounts(root) {
  for (const f of root.querySelectorAll('.field')) f.updateCount?.();
}

/** Errors for the fields under `root` that have more characters than their limit. */
export function lengthErrors(root) {
  return [...root.querySelectorAll('[data-limit]')]
    .filter((el) => chars(el.value) > Number(el.dataset.limit))
    .map((el) => ({ field: el.id, text: t('errors.too_long', { count: chars(el.value), limit: Number(el.dataset.limit) }) }));
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

// The server's reasons (and details) that have words of their own in the language files.
const REASONS = [
  [/^already a member/, 'errors.already_member'],
  [/has this name/, 'errors.name_taken'],
  [/current password/, 'errors.current_password'],
  [/must keep an admin/, 'members.last_admin'],
  [/agree to open publication/, 'profile.open_data_staff_give'],
];

const reasonKey = (text) => REASONS.find(([re]) => re.test(text ?? ''))?.[1] ?? null;

/** What a failed request means, in the page's language. */
export function errorText(e) {
  const own = reasonKey(e?.message);
  if (own) return t(own);
  if (!(e instanceof ApiError)) return t('errors.unexpected');
  if (e.status === 0) return t('errors.network');
  if (e.status === 401) return t('session.summary');
  if (e.status === 403) return t('errors.forbidden');
  if (e.status === 404) return t('errors.not_found');
  if (e.status === 412) return t('errors.stale_list');
  if (e.status === 429) return t('errors.rate_limited');
  if (e.status >= 500) return t('errors.server');
  return e.message;
}

/**
 * Shows an ApiError's field errors. `fieldId(field)`: the input id for a server field name
 * (`schedule.sessions[1].end`), or null. The message: the language file's words for the
 * reason, or `errors.{key}` (key: the field without indices, dots as _), else the server's
 * reason. Focuses the summary (not when the session has ended: the sign-in dialog has it).
 */
export function showServerErrors(summary, error, fieldId) {
  const list = error.errors?.length ? error.errors : [{ field: null, reason: null }];
  const items = list.map(({ field, reason }) => {
    const key = `errors.${(field ?? '').replace(/\[\d+\]/g, '').replace(/\./g, '_')}`;
    const own = reasonKey(reason);
    const text = own ? t(own) : field && has(key) ? t(key) : reason ?? errorText(error);
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
  if (!error.sessionEnded) summary.focus();
}

/** Shows errors found before sending (`[{ field, text }]`) and focuses the summary. */
export function showClientErrors(summary, errors) {
  showErrorSummary(summary, t('errors.heading', { count: errors.length }), errors);
  summary.focus();
}

/** Builds `fields` into `form` and fills their texts. */
export function fillForm(form, ...children) {
  form.append(...children.flat());
  applyStatic(form);
  return form;
}

let lastBusy = null;

/** The button whose request is (or was last) under way: where focus returns after a dialog. */
export const lastBusyButton = () => lastBusy;

/**
 * Runs `work()` with `button` disabled, so that a second press (a double click) does nothing
 * until the answer has come. Focus that fell to the page's body comes back to the button.
 */
export async function busy(button, work) {
  if (button.disabled) return undefined;
  button.disabled = true;
  lastBusy = button;
  try {
    return await work();
  } finally {
    button.disabled = false;
    if ((document.activeElement === document.body || !document.activeElement) && button.isConnected && button.offsetParent) button.focus();
  }
}

/** A form whose submit runs `work()` once at a time (its submit button disabled meanwhile). */
export function onSubmit(form, work) {
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const button = e.submitter ?? form.querySelector('button[type="submit"]');
    busy(button, work).catch(reportError);
  });
}

/** A button that runs `work(event)` once at a time. */
export const onPress = (button, work) => button.addEventListener('click', (e) => { busy(button, () => work(e)).catch(reportError); });

/** Unexpected failures: said on the page, logged for developers. */
export function reportError(e) {
  console.warn(e);
  $('page-status').textContent = errorText(e);
}
