// Forms that say what is wrong (WCAG 3.3.1, 3.3.3): a field has a label, a hint and an error
// line, all tied to the input (aria-describedby: the error first, then the hint); an error
// summary (role=alert) at the top lists every error as a link to its field. Used by the offer
// of help (residents/help-form.js); meant for the organisations' forms too.
//
//   textField({ id: 'help-name', name: 'name', label: 'help.name', hint: 'help.name_hint' })
//   markField('help-name', 'Skriv navnet ditt.')     // or null to clear
//   showErrorSummary($('help-errors'), heading, [{ field: 'help-name', text }])

import { $, h } from './dom.js';

/**
 * A double click on a submit button submits once. Each form disables its button while its
 * request runs, but a quick server can answer between the two clicks, and the second would
 * then send the (reset) form again. The second click of a double click (`detail` 2 and up)
 * never submits; keys (detail 0) and separate clicks do. Installed once, on import, for the
 * whole document, since every page with a form imports this module.
 */
if (typeof document !== 'undefined') {
  document.addEventListener('click', (e) => {
    if (e.detail > 1 && e.target instanceof Element && e.target.closest('button[type="submit"], input[type="submit"]')) e.preventDefault();
  }, true);
}

/** Characters as a person counts them (not UTF-16 units), without the ends' white space. */
export const chars = (s) => [...s.trim()].length;

/**
 * A `.field`: label (string keys: `label`, and `optional` for "(valgfritt)"), hint (`{id}-hint`),
 * error line (`{id}-error`, hidden) and an input, or a textarea with `multiline`. The texts are
 * `data-i18n` keys, filled by applyStatic.
 */
export function textField({ id, name, label, hint, optional, multiline = false, autocomplete, required = true, maxLength }) {
  const labelEl = h('label', { htmlFor: id }, h('span', { dataset: { i18n: label } }));
  if (optional && !required) labelEl.append(' ', h('span', { className: 'optional', dataset: { i18n: optional } }));
  const input = h(multiline ? 'textarea' : 'input', {
    id, name, required, maxLength, spellcheck: multiline, autocomplete, 'aria-describedby': `${id}-hint`,
  });
  if (multiline) input.rows = 4;
  else input.type = 'text';
  return h('div', { className: 'field' },
    labelEl,
    h('p', { id: `${id}-hint`, className: 'hint', dataset: { i18n: hint } }),
    h('p', { id: `${id}-error`, className: 'field-error', hidden: true }),
    input);
}

/** Shows `message` as the field's error (or clears it with null). */
export function markField(id, message) {
  const input = $(id);
  const error = $(`${id}-error`);
  error.textContent = message ?? '';
  error.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  input.setAttribute('aria-describedby', message ? `${error.id} ${id}-hint` : `${id}-hint`);
}

/**
 * Fills the summary: `heading`, then a line per error (`{ field: input id or null, text }`),
 * a link to its field where it has one (and the field marked). Hidden when there are none.
 */
export function showErrorSummary(summary, heading, errors) {
  if (!errors.length) {
    summary.hidden = true;
    summary.replaceChildren();
    return;
  }
  const items = errors.map((e) => {
    if (!e.field) return h('li', { textContent: e.text });
    markField(e.field, e.text);
    return h('li', { dataset: { field: e.name ?? e.field } }, h('a', {
      href: `#${e.field}`, textContent: e.text,
      on: { click: (ev) => { ev.preventDefault(); $(e.field).focus(); } },
    }));
  });
  summary.replaceChildren(h('p', { className: 'error-summary-heading', textContent: heading }), h('ul', {}, items));
  summary.hidden = false;
}
