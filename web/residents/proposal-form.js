// "Foreslå noe her" and "Støtt forslaget": two modal forms (kit/dialog.js, kit/forms.js) that
// POST to the participation API (docs/PARTICIPATION.md), built once, used on / and /embed.
//
// The proposal: the chosen point (an address searched or a point clicked), a category, a
// title (3–120 characters) and a text (10–2000), counted as one types; a participation code or
// an email address, at least one (the email only brings answers about the proposal and is
// deleted 90 days after it is closed). POST /api/proposals; 201: waits for moderation; 202:
// confirm by email; 400 (or 422) with `invalid-params`: beside their fields; 403 (the code),
// 422 (outside the area), 429 (many tries from the same network): only our words in the error
// summary. Nothing typed is shown again after a success. With a code and no email, the thanks
// say that the answer can be read later with the same code (./mine.js).
//
// The support: a code or an email, one of them. POST /api/proposals/{id}/supports; 201: the
// new count (also in the list); 202: confirm by email; 403, 404, 409, 429: only our words.
//
// For a problem we have no words of our own for, what kit/problems.js says of it follows ours
// (in the page's language); the server's own `detail` (English) is never shown.

import { t, applyStatic, currentLanguage, formatPoint } from '../kit/i18n.js';
import { at } from '../kit/base.js';
import { $, h, announce } from '../kit/dom.js';
import { modal } from '../kit/dialog.js';
import { chars, textField, markField, showErrorSummary } from '../kit/forms.js';
import { PROPOSAL_CATEGORIES } from '../kit/domain.js';
import { readProblem, problemText } from '../kit/problems.js';
import { fillSelect } from '../kit/choices.js';
import { page } from './context.js';
// A cycle with ./proposals.js: only functions, called after both modules have loaded.
import { proposalCategoryLabel, nbLang, setSupports } from './proposals.js';

// The server's limits (docs/PARTICIPATION.md), in characters.
const LIMITS = { title: [3, 120], text: [10, 2000] };
const PROPOSAL_FIELDS = ['category', 'title', 'text', 'photo', 'code', 'email'];

// A photo: what the server takes (src/participation.rs, PHOTO_MAX_BYTES).
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const PHOTO_MAX_BYTES = 8 * 1024 * 1024;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The language of the emails: the page's, when the server has it. */
const emailLanguage = () => (currentLanguage() === 'en' ? 'en' : 'nb');

/** A problem response: `{ status, problem (kit/problems.js), params: [{ name, reason }], body }`. */
async function problemOf(r) {
  const problem = await readProblem(r);
  const { body } = problem;
  const params = Array.isArray(body?.['invalid-params']) ? body['invalid-params'].map((x) => ({ name: x.name, reason: x.reason }))
    : Array.isArray(body?.errors) ? body.errors.map((x) => ({ name: x.field, reason: x.reason }))
      : body?.parameter ? [{ name: body.parameter, reason: body.detail }] : [];
  return { status: r.status, problem, params, body };
}

/** POSTs JSON: `{ status, body }` when it went well, else the problem (status 0: no answer, `problem` the error). */
export async function post(path, body) {
  try {
    const r = await fetch(at(path), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
    });
    if (r.ok) return { status: r.status, body: await r.json().catch(() => ({})) };
    return problemOf(r);
  } catch (e) {
    return { status: 0, problem: e, params: [] };
  }
}

/**
 * A text field with a character count in its hint ("12 av 120 tegn"): the count is part of
 * the hint the field is described by, and going over the limit is said once.
 */
function countedField(options, [min, max]) {
  const field = textField(options);
  const input = field.querySelector('input, textarea');
  input.removeAttribute('maxlength');
  const hint = field.querySelector('.hint');
  const count = h('span', { className: 'char-count' });
  hint.removeAttribute('data-i18n');
  hint.replaceChildren(h('span', { dataset: { i18n: options.hint } }), ' ', count);
  let over = false;
  const update = () => {
    const n = chars(input.value);
    count.textContent = t('proposal.count', { count: n, min, max });
    count.classList.toggle('over', n > max);
    if (n > max && !over) announce(t('proposal.too_long', { count: n, max }));
    over = n > max;
  };
  input.addEventListener('input', update);
  field.updateCount = update;
  return field;
}

/** The optional photo: a file input with label, hint and error line. */
function photoField() {
  const id = 'proposal-photo';
  return h('div', { className: 'field' },
    h('label', { htmlFor: id },
      h('span', { dataset: { i18n: 'proposal.photo' } }), ' ',
      h('span', { className: 'optional', dataset: { i18n: 'proposal.optional' } })),
    h('p', { id: `${id}-hint`, className: 'hint', dataset: { i18n: 'proposal.photo_hint' } }),
    h('p', { id: `${id}-error`, className: 'field-error', hidden: true }),
    h('input', { type: 'file', id, name: 'photo', accept: PHOTO_TYPES.join(','), 'aria-describedby': `${id}-hint` }));
}

/** The chosen photo as a data URL (the API takes it in the JSON body), or null. */
function photoData(file) {
  if (!file) return Promise.resolve(null);
  return new Promise((ok, fail) => {
    const reader = new FileReader();
    reader.onload = () => ok(reader.result);
    reader.onerror = () => fail(reader.error);
    reader.readAsDataURL(file);
  });
}

/** A select with label, hint and error line, as kit/forms.js's text fields. */
function selectField({ id, name, label, hint }) {
  return h('div', { className: 'field' },
    h('label', { htmlFor: id, dataset: { i18n: label } }),
    h('p', { id: `${id}-hint`, className: 'hint', dataset: { i18n: hint } }),
    h('p', { id: `${id}-error`, className: 'field-error', hidden: true }),
    h('select', { id, name, required: true, 'aria-describedby': `${id}-hint` }));
}

/** The code and email inputs: no spelling help, the code in capitals as printed. */
function credentialField(prefix, name, { optional = false } = {}) {
  const field = textField({
    id: `${prefix}-${name}`, name, label: `${prefix}.${name}`, hint: `${prefix}.${name}_hint`,
    optional: optional ? 'proposal.optional' : undefined, required: false,
    autocomplete: name === 'email' ? 'email' : 'off', maxLength: name === 'email' ? 254 : 40,
  });
  const input = field.querySelector('input');
  input.spellcheck = false;
  if (name === 'email') input.inputMode = 'email';
  else input.setAttribute('autocapitalize', 'characters');
  return field;
}

// ---------------------------------------------------------------------------------------------
// The proposal

let proposalDialog = null;
let proposalControl = null;
let proposalErrors = [];
let sending = false;

function buildProposalForm() {
  const form = h('form', { id: 'proposal-form', noValidate: true },
    selectField({ id: 'proposal-category', name: 'category', label: 'proposal.category', hint: 'proposal.category_hint' }),
    countedField({ id: 'proposal-title', name: 'title', label: 'proposal.title', hint: 'proposal.title_hint' }, LIMITS.title),
    countedField({ id: 'proposal-text', name: 'text', label: 'proposal.text', hint: 'proposal.text_hint', multiline: true }, LIMITS.text),
    photoField(),
    h('fieldset', { id: 'proposal-who', className: 'who', 'aria-describedby': 'proposal-who-hint' },
      h('legend', { dataset: { i18n: 'proposal.who' } }),
      h('p', { id: 'proposal-who-hint', className: 'hint', dataset: { i18n: 'proposal.who_hint' } }),
      credentialField('proposal', 'code'),
      credentialField('proposal', 'email', { optional: true })),
    h('p', { className: 'hint', dataset: { i18n: 'proposal.privacy' } }),
    h('div', { className: 'buttons' },
      h('button', { type: 'submit', id: 'proposal-submit', className: 'primary', dataset: { i18n: 'proposal.submit' } }),
      h('button', { type: 'button', id: 'proposal-cancel', dataset: { i18n: 'proposal.cancel' } })),
    h('p', { id: 'proposal-progress', className: 'hint', role: 'status' }));
  proposalDialog = h('dialog', { id: 'proposal-dialog', className: 'proposal-dialog', 'aria-labelledby': 'proposal-heading' },
    h('div', { id: 'proposal-form-part' },
      h('h2', { id: 'proposal-heading', dataset: { i18n: 'proposal.heading' } }),
      h('p', { id: 'proposal-place', className: 'proposal-place' }),
      h('p', { className: 'hint', dataset: { i18n: 'proposal.intro' } }),
      h('div', { id: 'proposal-errors', className: 'error-summary', role: 'alert', hidden: true }),
      form),
    h('div', { id: 'proposal-done', tabIndex: -1, hidden: true },
      h('h2', { id: 'proposal-done-heading', dataset: { i18n: 'proposal.done_heading' } }),
      h('p', { id: 'proposal-result' }),
      h('button', { type: 'button', id: 'proposal-close', className: 'primary', dataset: { i18n: 'proposal.close' } })));
  document.body.append(proposalDialog);
  relabelProposalForms();
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitProposal();
  });
  // A field that was wrong and is now right loses its error at once (new errors wait for Send).
  form.addEventListener('input', (e) => {
    const name = e.target.name;
    if (!proposalErrors.some((x) => x.name === name)) return;
    if (validateProposal(proposalValues()).some((x) => x.name === name)) return;
    proposalErrors = proposalErrors.filter((x) => x.name !== name);
    markField(`proposal-${name}`, null);
    $('proposal-errors').querySelector(`li[data-field="${name}"]`)?.remove();
    if (!proposalErrors.length) $('proposal-errors').hidden = true;
  });
  proposalControl = modal(proposalDialog, {
    closers: [$('proposal-cancel'), $('proposal-close')],
    onClose: resetProposal,
    fallback: () => $('propose-open'),
  });
}

/** The place line: the address, or the point's coordinates. */
function placeText() {
  const { point, address } = page.state;
  if (!point) return '';
  return t('proposal.place', { place: address ?? formatPoint(point[0], point[1]) });
}

/** The dialogs' strings in the current language (also after a language switch). */
export function relabelProposalForms() {
  if (proposalDialog) {
    applyStatic(proposalDialog);
    const select = $('proposal-category');
    fillSelect(select, PROPOSAL_CATEGORIES.map((c) => [c, proposalCategoryLabel(c)]), select.value, t('proposal.category_choose'));
    for (const f of proposalDialog.querySelectorAll('.field')) f.updateCount?.();
    $('proposal-place').textContent = placeText();
    if (proposalErrors.length) showProposalErrors(proposalErrors);
  }
  if (supportDialog) {
    applyStatic(supportDialog);
    showSupportTitle();
    if (supportErrors.length) showSupportErrors(supportErrors);
  }
}

const proposalValues = () => Object.fromEntries(PROPOSAL_FIELDS.map((n) => [n, $(`proposal-${n}`).value]));

/** `[{ name, text }]`: what is wrong before anything is sent. */
function validateProposal(v) {
  const errors = [];
  if (!PROPOSAL_CATEGORIES.includes(v.category)) errors.push({ name: 'category', text: t('proposal.error_category') });
  for (const name of ['title', 'text']) {
    const [min, max] = LIMITS[name];
    const n = chars(v[name]);
    if (n < min || n > max) errors.push({ name, text: t(`proposal.error_${name}`, { count: n, min, max }) });
  }
  const code = v.code.trim();
  const email = v.email.trim();
  if (!code && !email) errors.push({ name: 'code', text: t('proposal.error_who') });
  if (email && !EMAIL.test(email)) errors.push({ name: 'email', text: t('proposal.error_email') });
  const photo = $('proposal-photo')?.files?.[0];
  if (photo && (!PHOTO_TYPES.includes(photo.type) || photo.size > PHOTO_MAX_BYTES)) {
    errors.push({ name: 'photo', text: t('proposal.error_photo') });
  }
  return errors;
}

/**
 * The error summary (kit/forms.js) with, after our words, what kit/problems.js says of a
 * problem we have no words of our own for.
 */
function showSummary(summary, heading, prefix, errors) {
  showErrorSummary(summary, heading,
    errors.map((e) => ({ field: e.name ? `${prefix}-${e.name}` : null, name: e.name, text: e.text })));
  const items = summary.querySelectorAll('li');
  errors.forEach((e, i) => {
    if (!e.problem || !items[i]) return;
    items[i].append(' ', h('span', { className: 'problem-detail', textContent: `(${problemText(e.problem)})` }));
  });
}

function showProposalErrors(errors) {
  proposalErrors = errors;
  for (const name of PROPOSAL_FIELDS) markField(`proposal-${name}`, null);
  showSummary($('proposal-errors'), t('proposal.errors_heading', { count: errors.length }), 'proposal', errors);
}

function resetProposal() {
  $('proposal-form').reset();
  sending = false;
  $('proposal-submit').disabled = false;
  proposalErrors = [];
  showErrorSummary($('proposal-errors'), '', []);
  for (const name of PROPOSAL_FIELDS) markField(`proposal-${name}`, null);
  for (const f of proposalDialog.querySelectorAll('.field')) f.updateCount?.();
  $('proposal-progress').textContent = '';
  $('proposal-form-part').hidden = false;
  $('proposal-done').hidden = true;
  $('proposal-result').textContent = '';
  proposalDialog.setAttribute('aria-labelledby', 'proposal-heading');
}

/** Opens the form for the chosen point; `opener` gets focus back when it closes. */
export function openProposalForm(opener) {
  if (!proposalDialog) buildProposalForm();
  resetProposal();
  relabelProposalForms();
  proposalControl.open(opener ?? null);
  $('proposal-category').focus();
}

/** A field the server refused, in our words (`problem`: the whole answer, for a field we do not know). */
function fieldError(name, problem) {
  if (PROPOSAL_FIELDS.includes(name)) {
    const [min, max] = LIMITS[name] ?? [0, 0];
    // A code the server will not take: the same words as for a 403 (what to check).
    if (name === 'code') return { name, text: t('proposal.error_code_server') };
    if (name === 'email') return { name, text: t('proposal.error_email_server') };
    if (name === 'category') return { name, text: t('proposal.error_category') };
    if (name === 'photo') return { name, text: t('proposal.error_photo_server') };
    return { name, text: t(`proposal.error_${name}`, { count: chars($(`proposal-${name}`).value), min, max }) };
  }
  if (name === 'lon' || name === 'lat') return { name: null, text: t('proposal.error_place') };
  return { name: null, text: t('proposal.error_failed'), problem };
}

async function submitProposal() {
  if (sending) return;
  const { point } = page.state;
  const v = proposalValues();
  const errors = validateProposal(v);
  if (!point) errors.unshift({ name: null, text: t('proposals.choose_first') });
  showProposalErrors(errors);
  if (errors.length) {
    const first = errors.find((e) => e.name);
    (first ? $(`proposal-${first.name}`) : $('proposal-submit')).focus();
    return;
  }
  const body = {
    category: v.category, title: v.title.trim(), text: v.text.trim(),
    lon: Number(point[0].toFixed(6)), lat: Number(point[1].toFixed(6)), lang: emailLanguage(),
  };
  if (v.code.trim()) body.code = v.code.trim();
  if (v.email.trim()) body.email = v.email.trim();
  sending = true;
  $('proposal-submit').disabled = true;
  $('proposal-progress').textContent = t('proposal.sending');
  const photo = await photoData($('proposal-photo').files?.[0]).catch(() => null);
  if (photo) body.photo = photo;
  const r = await post('/api/proposals', body);
  sending = false;
  $('proposal-submit').disabled = false;
  $('proposal-progress').textContent = '';
  if (r.status === 201 || r.status === 202) {
    let message = r.status === 202 ? t('proposal.done_confirm') : t('proposal.done_pending');
    if (r.status === 201 && r.body?.email_confirmation) message = `${message} ${t('proposal.done_email_too')}`;
    // A code and no email: no answers come by email; they can be read with the code (./mine.js).
    if (r.status === 201 && body.code && !body.email) message = `${message} ${t('proposal.done_mine')}`;
    proposalDone(message);
    return;
  }
  let shown;
  if (r.params.length && (r.status === 400 || r.status === 422)) {
    // Field errors: `invalid-params` (the contract says 400; the server answers 422).
    shown = r.params.map((x) => fieldError(x.name, r.problem));
  } else if (r.status === 403) {
    shown = [{ name: 'code', text: t('proposal.error_code_server') }];
  } else if (r.status === 422) {
    shown = [{ name: null, text: t('proposal.error_place') }];
  } else if (r.status === 429) {
    shown = [{ name: null, text: t('proposal.error_busy') }];
  } else {
    shown = [{ name: null, text: t('proposal.error_failed'), problem: r.problem }];
  }
  shown = shown.filter((e, i) => shown.findIndex((x) => x.text === e.text) === i);
  showProposalErrors(shown);
  const first = shown.find((e) => e.name);
  (first ? $(`proposal-${first.name}`) : $('proposal-submit')).focus();
}

function proposalDone(message) {
  $('proposal-form').reset();
  showProposalErrors([]);
  $('proposal-form-part').hidden = true;
  $('proposal-result').textContent = message;
  $('proposal-done').hidden = false;
  proposalDialog.setAttribute('aria-labelledby', 'proposal-done-heading');
  $('proposal-done').focus();
  announce(message);
}

// ---------------------------------------------------------------------------------------------
// The support

let supportDialog = null;
let supportControl = null;
let supportErrors = [];
let supported = null; // the proposal's feature
let supporting = false;
const SUPPORT_FIELDS = ['code', 'email'];

function buildSupportForm() {
  const form = h('form', { id: 'support-form', noValidate: true },
    credentialField('support', 'code'),
    credentialField('support', 'email'),
    h('div', { className: 'buttons' },
      h('button', { type: 'submit', id: 'support-submit', className: 'primary', dataset: { i18n: 'support.submit' } }),
      h('button', { type: 'button', id: 'support-cancel', dataset: { i18n: 'support.cancel' } })),
    h('p', { id: 'support-progress', className: 'hint', role: 'status' }));
  supportDialog = h('dialog', { id: 'support-dialog', className: 'proposal-dialog', 'aria-labelledby': 'support-heading' },
    h('h2', { id: 'support-heading', dataset: { i18n: 'support.heading' } }),
    h('p', { id: 'support-proposal', className: 'proposal-place' }),
    h('p', { id: 'support-intro', className: 'hint', dataset: { i18n: 'support.intro' } }),
    // What came of it: the problems (an alert), or the thanks.
    h('div', { id: 'support-result' },
      h('div', { id: 'support-errors', className: 'error-summary', role: 'alert', hidden: true }),
      h('div', { id: 'support-done', className: 'done', tabIndex: -1, hidden: true },
        h('p', { id: 'support-done-text' }),
        h('button', { type: 'button', id: 'support-close', className: 'primary', dataset: { i18n: 'support.close' } }))),
    form);
  document.body.append(supportDialog);
  applyStatic(supportDialog);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submitSupport();
  });
  supportControl = modal(supportDialog, {
    closers: [$('support-cancel'), $('support-close')],
    onClose: () => {
      const id = supported?.properties?.id ?? supported?.id;
      resetSupport();
      supported = null;
      // The row's button, when the list was drawn again meanwhile.
      supportFallbackId = id;
    },
    fallback: () => document.querySelector(`#proposal-list [data-proposal-id="${CSS.escape(String(supportFallbackId))}"] .support-button`)
      ?? $('proposals-heading'),
  });
}
let supportFallbackId = null;

function showSupportTitle() {
  const p = supported?.properties;
  const el = $('support-proposal');
  if (!el) return;
  el.replaceChildren();
  if (!p) return;
  el.append(`${proposalCategoryLabel(p.category)}: `, h('span', { lang: nbLang(), textContent: p.title ?? '' }));
}

function showSupportErrors(errors) {
  supportErrors = errors;
  for (const name of SUPPORT_FIELDS) markField(`support-${name}`, null);
  showSummary($('support-errors'), t('support.errors_heading', { count: errors.length }), 'support', errors);
}

function resetSupport() {
  $('support-form').reset();
  $('support-form').hidden = false;
  supporting = false;
  $('support-submit').disabled = false;
  supportErrors = [];
  showErrorSummary($('support-errors'), '', []);
  for (const name of SUPPORT_FIELDS) markField(`support-${name}`, null);
  $('support-progress').textContent = '';
  $('support-done').hidden = true;
  $('support-done-text').textContent = '';
  $('support-intro').hidden = false;
}

/** Opens "Støtt forslaget" for a proposal (a feature); `opener` gets focus back. */
export function openSupportForm(feature, opener) {
  if (!supportDialog) buildSupportForm();
  resetSupport();
  supported = feature;
  showSupportTitle();
  supportControl.open(opener ?? null);
  $('support-code').focus();
}

async function submitSupport() {
  if (supporting || !supported) return;
  const code = $('support-code').value.trim();
  const email = $('support-email').value.trim();
  const errors = [];
  if (!code && !email) errors.push({ name: 'code', text: t('support.error_none') });
  else if (code && email) errors.push({ name: 'email', text: t('support.error_both') });
  else if (email && !EMAIL.test(email)) errors.push({ name: 'email', text: t('proposal.error_email') });
  showSupportErrors(errors);
  if (errors.length) {
    $(`support-${errors[0].name}`).focus();
    return;
  }
  const id = supported.properties?.id ?? supported.id;
  supporting = true;
  $('support-submit').disabled = true;
  $('support-progress').textContent = t('support.sending');
  const r = await post(`/api/proposals/${encodeURIComponent(id)}/supports`, code ? { code } : { email, lang: emailLanguage() });
  supporting = false;
  $('support-submit').disabled = false;
  $('support-progress').textContent = '';
  if (r.status === 201 || r.status === 202) {
    let message;
    if (r.status === 201 && typeof r.body?.supports === 'number') {
      message = t('support.done_counted', { count: r.body.supports });
      setSupports(id, r.body.supports);
    } else {
      message = r.status === 202 ? t('support.done_confirm') : t('support.done');
    }
    $('support-form').reset();
    $('support-form').hidden = true;
    $('support-intro').hidden = true;
    $('support-done-text').textContent = message;
    $('support-done').hidden = false;
    $('support-done').focus();
    announce(message);
    return;
  }
  let shown;
  if (r.params.length && (r.status === 400 || r.status === 422)) {
    shown = r.params.map((x) => ({ name: SUPPORT_FIELDS.includes(x.name) ? x.name : null, text: t('support.error_failed'), problem: r.problem }));
  } else {
    // Our own words for what we expect; kit/problems.js's after them only for anything else.
    const key = { 403: 'support.error_code', 404: 'support.error_gone', 409: 'support.error_already', 429: 'support.error_busy' }[r.status];
    shown = [key
      ? { name: r.status === 403 ? 'code' : null, text: t(key) }
      : { name: null, text: t('support.error_failed'), problem: r.problem }];
  }
  showSupportErrors(shown);
  const first = shown.find((e) => e.name);
  (first ? $(`support-${first.name}`) : $('support-submit')).focus();
}
