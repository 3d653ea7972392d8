// "Jeg kan hjelpe": the offer-of-help form for a volunteer need, in a modal dialog.
//
// Name, contact and an optional message are POSTed to
// /api/collections/volunteer-needs/items/{id}/offers (202, nothing echoed back). What the
// resident wrote is never shown again: after a success the form is emptied and only a thank
// you (with the organisation's name) remains. Errors are listed in an alert at the top,
// each field says what is wrong (aria-invalid, aria-describedby), and focus goes to the first
// field to fix. Focus returns to the button that opened the dialog when it closes.

import { t, applyStatic } from './i18n.js';

// The server's limits (src/domain/activity.rs, HelpOffer::validate), counted in characters.
const LIMITS = { name: [2, 100], contact: [5, 200], message: [0, 1000] };
const FIELDS = ['name', 'contact', 'message'];

const chars = (s) => [...s.trim()].length;

let dialog;
let need = null; // the feature the form is for
let opener = null; // the button that opened it
let sending = false;

const $ = (id) => document.getElementById(id);

function field(name, { multiline = false, autocomplete, required = true } = {}) {
  const wrap = document.createElement('div');
  wrap.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = `help-${name}`;
  const text = document.createElement('span');
  text.dataset.i18n = `help.${name}`;
  label.append(text);
  if (!required) {
    const optional = document.createElement('span');
    optional.className = 'optional';
    optional.dataset.i18n = 'help.optional';
    label.append(' ', optional);
  }
  const input = document.createElement(multiline ? 'textarea' : 'input');
  input.id = `help-${name}`;
  input.name = name;
  if (multiline) input.rows = 4;
  else input.type = 'text';
  if (autocomplete) input.autocomplete = autocomplete;
  input.required = required;
  input.maxLength = LIMITS[name][1];
  input.spellcheck = multiline;
  const hint = document.createElement('p');
  hint.id = `help-${name}-hint`;
  hint.className = 'hint';
  hint.dataset.i18n = `help.${name}_hint`;
  const error = document.createElement('p');
  error.id = `help-${name}-error`;
  error.className = 'field-error';
  error.hidden = true;
  input.setAttribute('aria-describedby', `${hint.id}`);
  wrap.append(label, hint, error, input);
  return wrap;
}

/** Builds the dialog once (both pages use it). */
function build() {
  dialog = document.createElement('dialog');
  dialog.id = 'help-dialog';
  dialog.className = 'help-dialog';
  dialog.setAttribute('aria-labelledby', 'help-title');

  const formPart = document.createElement('div');
  formPart.id = 'help-form-part';
  const h = document.createElement('h2');
  h.id = 'help-title';
  h.dataset.i18n = 'help.heading';
  const needLine = document.createElement('p');
  needLine.id = 'help-need';
  needLine.className = 'help-need';
  const intro = document.createElement('p');
  intro.id = 'help-intro';
  const required = document.createElement('p');
  required.className = 'hint';
  required.dataset.i18n = 'help.all_required';
  const errors = document.createElement('div');
  errors.id = 'help-errors';
  errors.className = 'error-summary';
  errors.setAttribute('role', 'alert');
  errors.hidden = true;

  const form = document.createElement('form');
  form.id = 'help-form';
  form.noValidate = true;
  const buttons = document.createElement('div');
  buttons.className = 'buttons';
  const send = document.createElement('button');
  send.type = 'submit';
  send.id = 'help-send';
  send.className = 'primary';
  send.dataset.i18n = 'help.send';
  const cancel = document.createElement('button');
  cancel.type = 'button';
  cancel.id = 'help-cancel';
  cancel.dataset.i18n = 'help.cancel';
  buttons.append(send, cancel);
  const progress = document.createElement('p');
  progress.id = 'help-progress';
  progress.className = 'hint';
  progress.setAttribute('role', 'status');
  form.append(
    field('name', { autocomplete: 'name' }),
    field('contact', { autocomplete: 'email' }),
    field('message', { multiline: true, required: false }),
    buttons, progress,
  );
  formPart.append(h, needLine, intro, required, errors, form);

  const done = document.createElement('div');
  done.id = 'help-done';
  done.tabIndex = -1;
  done.hidden = true;
  const doneTitle = document.createElement('h2');
  doneTitle.id = 'help-done-title';
  doneTitle.dataset.i18n = 'help.thanks_heading';
  const doneText = document.createElement('p');
  doneText.id = 'help-done-text';
  const close = document.createElement('button');
  close.type = 'button';
  close.id = 'help-close';
  close.className = 'primary';
  close.dataset.i18n = 'help.close';
  done.append(doneTitle, doneText, close);

  dialog.append(formPart, done);
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
  cancel.addEventListener('click', () => dialog.close());
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    reset();
    if (opener?.isConnected) opener.focus();
    else document.getElementById('results')?.focus();
    opener = null;
    need = null;
  });
}

const orgName = () => need?.properties?.organisation?.name ?? t('help.the_organisation');

/** The texts that name the need and its organisation (also after a language switch). */
export function relabelHelpForm() {
  if (!dialog) return;
  applyStatic(dialog);
  if (!need) return;
  const p = need.properties;
  $('help-need').textContent = t('help.need', { title: p.title ?? '', organisation: orgName() });
  if (p.example) {
    const badge = document.createElement('span');
    badge.className = 'badge badge-example';
    badge.textContent = t('activity.example');
    const why = document.createElement('span');
    why.className = 'visually-hidden';
    why.textContent = `: ${t('activity.example_explained')}`;
    badge.append(why);
    $('help-need').append(' ', badge);
  }
  $('help-intro').textContent = t('help.intro', { organisation: orgName() });
  $('help-done-text').textContent = t('help.thanks', { organisation: orgName() });
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
}

/** Opens the form for a volunteer need; `button` gets focus back when it closes. */
export function openHelpForm(feature, button) {
  if (!dialog) build();
  if (dialog.open) dialog.close();
  reset();
  need = feature;
  opener = button ?? null;
  relabelHelpForm();
  dialog.showModal();
  $('help-name').focus();
}

function markField(name, message) {
  const input = $(`help-${name}`);
  const error = $(`help-${name}-error`);
  const hint = `help-${name}-hint`;
  if (message) {
    error.textContent = message;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', `${error.id} ${hint}`);
  } else {
    error.textContent = '';
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    input.setAttribute('aria-describedby', hint);
  }
}

let lastErrors = [];

/**
 * Shows errors: `[{ field, key }]`, a field of the form (or null for the form as a whole)
 * and the string for it. Focus goes to the first field to fix.
 */
function showErrors(errors) {
  lastErrors = errors;
  const summary = $('help-errors');
  for (const name of FIELDS) markField(name, null);
  if (!errors.length) {
    summary.hidden = true;
    summary.replaceChildren();
    return;
  }
  const heading = document.createElement('p');
  heading.className = 'error-summary-heading';
  heading.textContent = t('help.errors_heading', { count: errors.length });
  const list = document.createElement('ul');
  for (const e of errors) {
    const li = document.createElement('li');
    if (e.field) {
      li.dataset.field = e.field;
      markField(e.field, t(e.key));
      const a = document.createElement('a');
      a.href = `#help-${e.field}`;
      a.textContent = t(e.key);
      a.addEventListener('click', (ev) => {
        ev.preventDefault();
        $(`help-${e.field}`).focus();
      });
      li.append(a);
    } else {
      li.textContent = t(e.key);
    }
    list.append(li);
  }
  summary.replaceChildren(heading, list);
  summary.hidden = false;
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
    const r = await fetch(`/api/collections/volunteer-needs/items/${encodeURIComponent(need.id)}/offers`, {
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
  $('help-done-text').textContent = t('help.thanks', { organisation: orgName() });
  $('help-done').hidden = false;
  dialog.setAttribute('aria-labelledby', 'help-done-title');
  $('help-done').focus();
}
