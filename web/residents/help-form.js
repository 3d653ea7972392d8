// "Jeg kan hjelpe": the offer-of-help form for a volunteer need, in a modal dialog.
//
// Name, contact and an optional message are POSTed to
// /api/collections/volunteer-needs/items/{id}/offers (202, nothing echoed back). What the
// resident wrote is never shown again: after a success the form is emptied and only a thank
// you (with the organisation's name) remains. Errors are listed in an alert at the top,
// each field says what is wrong (aria-invalid, aria-describedby), and focus goes to the first
// field to fix. Focus returns to the button that opened the dialog when it closes.

import { t, tNodes, applyStatic } from '../kit/i18n.js';
import { at } from '../kit/base.js';
import { $, h } from '../kit/dom.js';
import { modal } from '../kit/dialog.js';
import { chars, textField, markField as markInput, showErrorSummary } from '../kit/forms.js';
import { exampleBadge, nb } from './programme.js';

// The server's limits (src/domain/activity.rs, HelpOffer::validate), counted in characters.
const LIMITS = { name: [2, 100], contact: [5, 200], message: [0, 1000] };
const FIELDS = ['name', 'contact', 'message'];

let dialog;
let need = null; // the feature the form is for
let sending = false;

let dialogControl;

function field(name, { multiline = false, autocomplete, required = true } = {}) {
  return textField({
    id: `help-${name}`, name, label: `help.${name}`, hint: `help.${name}_hint`, optional: 'help.optional',
    multiline, autocomplete, required, maxLength: LIMITS[name][1],
  });
}

/** Builds the dialog once (both pages use it). */
function build() {
  const form = h('form', { id: 'help-form', noValidate: true },
    field('name', { autocomplete: 'name' }),
    // E-mail or phone: no one autocomplete purpose fits both, so none is claimed.
    field('contact'),
    field('message', { multiline: true, required: false }),
    h('div', { className: 'buttons' },
      h('button', { type: 'submit', id: 'help-send', className: 'primary', dataset: { i18n: 'help.send' } }),
      h('button', { type: 'button', id: 'help-cancel', dataset: { i18n: 'help.cancel' } })),
    h('p', { id: 'help-progress', className: 'hint', role: 'status' }));
  dialog = h('dialog', { id: 'help-dialog', className: 'help-dialog', 'aria-labelledby': 'help-title', 'aria-describedby': 'help-need' },
    h('div', { id: 'help-form-part' },
      h('h2', { id: 'help-title', dataset: { i18n: 'help.heading' } }),
      h('p', { id: 'help-need', className: 'help-need' }),
      h('p', { id: 'help-intro' }),
      h('p', { className: 'hint', dataset: { i18n: 'help.all_required' } }),
      h('div', { id: 'help-errors', className: 'error-summary', role: 'alert', hidden: true }),
      form),
    h('div', { id: 'help-done', tabIndex: -1, hidden: true },
      h('h2', { id: 'help-done-title', dataset: { i18n: 'help.thanks_heading' } }),
      h('p', { id: 'help-done-text' }),
      h('button', { type: 'button', id: 'help-close', className: 'primary', dataset: { i18n: 'help.close' } })));
  document.body.append(dialog);
  applyStatic(dialog);

  // A field that was wrong and is now right loses its error at once (new errors wait for Send).
  form.addEventListener('input', (e) => {
    const name = e.target.name;
    if (!lastErrors.some((x) => x.field === name)) return;
    const values = Object.fromEntries(FIELDS.map((n) => [n, $(`help-${n}`).value]));
    if (validate(values).some((x) => x.field === name)) return;
    // Only removed from the alert (a removal is not read out), so fixing is quiet.
    lastErrors = lastErrors.filter((x) => x.field !== name);
    markField(name, null);
    $('help-errors').querySelector(`li[data-field="${name}"]`)?.remove();
    if (!lastErrors.length) $('help-errors').hidden = true;
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  dialogControl = modal(dialog, {
    closers: [$('help-cancel'), $('help-close')],
    onClose: () => {
      reset();
      need = null;
    },
    fallback: () => $('results'),
  });
}

/** The organisation's name (its own words, marked Norwegian in another language), or "the organisation". */
const orgNode = () => {
  const name = need?.properties?.organisation?.name;
  return name ? nb(name) : document.createTextNode(t('help.the_organisation'));
};

/** The texts that name the need and its organisation (also after a language switch). */
export function relabelHelpForm() {
  if (!dialog) return;
  applyStatic(dialog);
  if (!need) return;
  const p = need.properties;
  $('help-need').replaceChildren(...tNodes('help.need', { title: nb(p.title), organisation: orgNode() }));
  if (p.example) $('help-need').append(' ', exampleBadge());
  $('help-intro').replaceChildren(...tNodes('help.intro', { organisation: orgNode() }));
  $('help-done-text').replaceChildren(...tNodes('help.thanks', { organisation: orgNode() }));
  if (!$('help-errors').hidden) showErrors(lastErrors);
}

/** Empties the form and every message: nothing the resident typed stays in the page. */
function reset() {
  $('help-form').reset();
  sending = false;
  lastErrors = [];
  $('help-errors').hidden = true;
  $('help-errors').replaceChildren();
  $('help-progress').textContent = '';
  for (const name of FIELDS) markField(name, null);
  $('help-form-part').hidden = false;
  $('help-done').hidden = true;
  dialog.setAttribute('aria-labelledby', 'help-title');
  dialog.setAttribute('aria-describedby', 'help-need');
}

/** Opens the form for a volunteer need; `button` gets focus back when it closes. */
export function openHelpForm(feature, button) {
  if (!dialog) build();
  if (dialog.open) dialog.close();
  reset();
  need = feature;
  relabelHelpForm();
  dialogControl.open(button ?? null);
  $('help-name').focus();
}

const markField = (name, message) => markInput(`help-${name}`, message);

let lastErrors = [];

/**
 * Shows errors: `[{ field, key }]`, a field of the form (or null for the form as a whole)
 * and the string for it. Focus goes to the first field to fix.
 */
function showErrors(errors) {
  lastErrors = errors;
  const summary = $('help-errors');
  for (const name of FIELDS) markField(name, null);
  // Fields to fix are headed "correct this"; a failure of the server (no field) is not the resident's to fix.
  const heading = errors.some((e) => e.field) ? 'help.errors_heading' : 'help.failed_heading';
  showErrorSummary(summary, t(heading, { count: errors.length }),
    errors.map((e) => ({ field: e.field && `help-${e.field}`, name: e.field, text: t(e.key) })));
}

function validate(values) {
  const errors = [];
  for (const name of FIELDS) {
    const [min, max] = LIMITS[name];
    const n = chars(values[name]);
    if (name === 'message' ? n > max : n < min || n > max) errors.push({ field: name, key: `help.error_${name}` });
  }
  return errors;
}

async function submit() {
  if (sending || !need) return;
  const values = Object.fromEntries(FIELDS.map((n) => [n, $(`help-${n}`).value]));
  const errors = validate(values);
  showErrors(errors);
  if (errors.length) {
    $(`help-${errors[0].field}`).focus();
    return;
  }
  const body = { name: values.name.trim(), contact: values.contact.trim() };
  if (values.message.trim()) body.message = values.message.trim();
  sending = true;
  $('help-progress').textContent = t('help.sending');
  let status = 0;
  let problem = null;
  try {
    const r = await fetch(at(`/api/collections/volunteer-needs/items/${encodeURIComponent(need.id)}/offers`), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    status = r.status;
    if (!r.ok) problem = await r.json().catch(() => null);
  } catch {
    status = 0;
  }
  sending = false;
  $('help-progress').textContent = '';
  if (status === 202 || status === 200 || status === 201) {
    done();
    return;
  }
  let shown;
  if (status === 422 && Array.isArray(problem?.errors)) {
    shown = problem.errors.map((e) => (FIELDS.includes(e.field)
      ? { field: e.field, key: `help.error_${e.field}` }
      : { field: null, key: 'help.error_failed' }));
  } else if (status === 404) {
    shown = [{ field: null, key: 'help.error_gone' }];
  } else {
    shown = [{ field: null, key: 'help.error_failed' }];
  }
  // One line per distinct message.
  shown = shown.filter((e, i) => shown.findIndex((x) => x.key === e.key) === i);
  showErrors(shown);
  const first = shown.find((e) => e.field);
  if (first) $(`help-${first.field}`).focus();
  else $('help-send').focus();
}

function done() {
  $('help-form').reset();
  showErrors([]);
  $('help-form-part').hidden = true;
  $('help-done-text').replaceChildren(...tNodes('help.thanks', { organisation: orgNode() }));
  $('help-done').hidden = false;
  dialog.setAttribute('aria-labelledby', 'help-done-title');
  dialog.setAttribute('aria-describedby', 'help-done-text');
  $('help-done').focus();
}
