// Residents' proposals (issue 15, docs/PARTICIPATION.md): the moderation queue and the
// municipality's answers. A list of proposals by state (pending first: the queue), each a card
// with its title and text (the residents' own words, marked lang="nb"), what looks like
// personal data (flags, shown first), category, place, when, how it came (a code's batch, or
// an email: never the address), the homes within 10 minutes' walk, supports, status and the
// answers given. Actions, each with the proposal's `version`:
//   publish (asks first), reject (a reason the proposer sees), edit (to take out personal data;
//   logged), answer (a status and a public answer, emailed to the proposer), merge (into
//   another published proposal).
// A 409 (someone else changed it) reloads the list and says so; the dialog keeps what was typed.
// After an action focus goes to the same button when the proposal is still listed, else to the
// proposal that took its place, else the section's heading.

import { $, h } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, has, formatNumber, formatPoint, formatDate, formatList } from '../kit/i18n.js';
import { PROPOSAL_STATUSES } from '../kit/domain.js';
import { api, ApiError } from '../org/api.js';
import { inputField, selectField, formButtons, fillForm, updateCounts } from '../org/fields.js';
import { chars } from '../kit/forms.js';
import { admin } from './context.js';
import {
  rowButton, busy, refocus, showProblem, confirmDialog, showFieldErrors, showClientErrors,
  clearFieldErrors, say, formDialog, osloStamp, freeText, problemText,
} from './ui.js';

// A reason's or an answer's most characters (src/participation.rs ANSWER_CHARS; the contract
// names none).
const ANSWER_MAX = 4000;
const STATES = ['pending', 'published', 'rejected', 'merged', 'unconfirmed', 'all'];
const FACILITY = new Set(['school', 'kindergarten', 'playground', 'pitch', 'skatepark', 'fitness_station',
  'track', 'sports_hall', 'library', 'culture_house', 'youth_club', 'community_centre', 'park']);

/** The dialog being used: `{ proposal, opener, index }`. */
let acting = null;
const dialogs = {};

const label = (group, v) => (has(`${group}.${v}`) ? t(`${group}.${v}`) : v);

export async function loadProposals() {
  showProblem('proposals-problem', null);
  const state = $('proposal-state').value || 'pending';
  let list;
  try {
    ({ proposals: list } = (await api('GET', `/api/moderation/proposals?state=${encodeURIComponent(state)}`)).data);
  } catch (e) {
    showProblem('proposals-problem', e);
    return;
  }
  // The queue oldest first; the rest newest first.
  const when = (p) => Date.parse(p.created) || 0;
  const queue = state === 'pending' || state === 'unconfirmed';
  admin.proposals = [...list].sort((a, b) => (queue ? when(a) - when(b) : when(b) - when(a)) || a.id - b.id);
  render(state);
}

function render(state) {
  const list = admin.proposals;
  $('proposals-count').textContent = state === 'pending'
    ? t('proposals.count_pending', { count: list.length })
    : t('proposals.count', { count: list.length, state: label('states', state).toLocaleLowerCase() });
  $('proposal-list').replaceChildren(list.length
    ? h('ol', { className: 'proposal-list', 'aria-label': t('proposals.list') }, list.map(card))
    : h('p', { className: 'empty', textContent: t(state === 'pending' ? 'proposals.none_pending' : 'proposals.none') }));
}

/** «Kan inneholde personopplysninger: telefonnummer «…»», or null. */
function flagsNote(p) {
  // The server flags what it finds in the title and in the text: the same words found in
  // both are one flag here (each kind and text once).
  const seen = new Set();
  const flags = (Array.isArray(p.flags) ? p.flags : []).filter((f) => {
    const key = `${f?.kind}\u0000${f?.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (!flags.length) return null;
  const items = flags.map((f) => {
    const key = has(`flags.${f.kind}`) ? `flags.${f.kind}` : 'flags.other';
    // The template's quotes around the resident's text, which is marked as Norwegian.
    const [before, after] = t(key, { text: '\u0000' }).split('\u0000');
    return h('li', {}, before, freeText('span', f.text, { className: 'flag-text' }), after ?? '');
  });
  return h('div', { className: 'flags' },
    h('p', {}, h('strong', { textContent: t('flags.heading') })),
    h('ul', {}, items),
    p.state === 'pending' ? h('p', { className: 'flags-advice', textContent: t('flags.advice') }) : null);
}

function fact(name, ...value) {
  return [h('dt', { textContent: t(`proposals.fact_${name}`) }), h('dd', {}, ...value)];
}

/**
 * A district named with its level's own word («bydel Gamle Oslo», «grunnkrets Vaterland»),
 * from the `level` the API gives; only the name when the level is not one we have a word for.
 */
function placeName(d) {
  return d.level && has(`levels.${d.level}`)
    ? t('proposals.where_level', { level: t(`levels.${d.level}`), name: d.name })
    : t('proposals.where_district', { name: d.name });
}

function where(p) {
  const parts = [];
  if (p.kommunedel?.name) parts.push(h('span', {}, placeName(p.kommunedel)));
  if (p.district?.name && p.district.id !== p.kommunedel?.id) parts.push(h('span', {}, placeName(p.district)));
  if (!parts.length) parts.push(h('span', {}, t('proposals.outside_districts')));
  const lonLat = Number.isFinite(p.lon) && Number.isFinite(p.lat);
  return h('span', { className: 'where' },
    ...parts.flatMap((x, i) => (i ? [', ', x] : [x])),
    lonLat ? h('span', { className: 'point' }, ` (${formatPoint(p.lon, p.lat)})`) : null,
    lonLat ? h('a', {
      href: at(`/?point=${p.lon.toFixed(6)},${p.lat.toFixed(6)}&zoom=16`), className: 'map-link',
    }, t('proposals.on_map'), h('span', { className: 'visually-hidden', textContent: `: ${p.title}` })) : null);
}

function catchment(p) {
  const c = p.catchment;
  if (!c) return t('proposals.catchment_none');
  const homes = t('proposals.catchment_homes', { count: c.homes ?? 0 });
  let text = c.residents == null
    ? `${homes} (${t('proposals.catchment_no_residents')})`
    : formatList([homes, t('proposals.catchment_residents', { count: c.residents })]);
  if (c.kind && c.homes_without != null) {
    text += `; ${t('proposals.catchment_without', { count: c.homes_without, kind: label('kind_plural', c.kind) })}`;
  }
  return `${text}.`;
}

function via(p) {
  if (p.via === 'code') return p.batch ? t('proposals.via_code', { batch: p.batch }) : t('proposals.via_code_unknown');
  return t('proposals.via_email');
}

function answers(p) {
  const list = Array.isArray(p.answers) ? p.answers : [];
  if (!list.length) return null;
  return h('div', { className: 'answers' },
    h('h4', { textContent: t('proposals.answers') }),
    h('ol', {}, list.map((a) => h('li', {},
      h('span', { className: 'answer-head', textContent: t('proposals.answer_line', { status: label('statuses', a.status), date: formatDate(a.at) }) }),
      ' ', freeText('span', a.answer, { className: 'answer-text' })))));
}

/** Which actions fit the proposal's state (the server decides; a 400 says when not). */
function actionsFor(p) {
  switch (p.state) {
    case 'pending': return ['publish', 'edit', 'reject', 'merge'];
    case 'published': return ['answer', 'edit', 'reject', 'merge'];
    case 'unconfirmed': return [];
    default: return ['edit'];
  }
}

const OPEN = {
  publish: (b, p) => publish(b, p),
  reject: (b, p) => openReject(b, p),
  edit: (b, p) => openEdit(b, p),
  answer: (b, p) => openAnswer(b, p),
  merge: (b, p) => openMerge(b, p),
};

function card(p) {
  const titleId = `proposal-${p.id}-title`;
  const created = Date.parse(p.created);
  const stateText = label('states', p.state);
  const facts = [
    ...fact('state', h('span', { className: `state state-${p.state}`, textContent: stateText })),
    ...(p.state === 'published' ? fact('status', h('span', { className: 'state', textContent: label('statuses', p.status) })) : []),
    ...fact('category', label('categories', p.category)),
    ...fact('where', where(p)),
    ...fact('created', Number.isFinite(created) ? osloStamp(created) : (p.created ?? '')),
    ...(p.published ? fact('published', formatDate(p.published)) : []),
    ...fact('via', via(p)),
    ...fact('email', t(p.has_email ? 'proposals.email_yes' : 'proposals.email_no')),
    ...fact('catchment', catchment(p)),
    ...(p.photo ? fact('photo', h('img', { src: at(p.photo), className: 'proposal-photo', alt: t('proposals.photo_alt', { title: p.title }), loading: 'lazy' })) : []),
    ...fact('supports', formatNumber(p.supports ?? 0)),
    ...(p.reject_reason ? fact('reason', freeText('span', p.reject_reason)) : []),
    ...(p.merged_into != null ? fact('merged', t('proposals.merged_into', { id: p.merged_into })) : []),
  ];
  const buttons = actionsFor(p).map((a) => rowButton({
    key: `proposal-${a}-${p.id}`, text: t(`proposals.${a}`), about: p.title,
    className: a === 'publish' || a === 'answer' ? 'small primary' : 'small',
    onClick: (b) => OPEN[a](b, p),
  }));
  return h('li', { className: `proposal proposal-${p.state}`, dataset: { id: String(p.id) } },
    h('article', { 'aria-labelledby': titleId },
      h('h3', { id: titleId, tabIndex: -1, className: 'proposal-title' },
        freeText('span', p.title),
        h('span', { className: 'proposal-number', textContent: ` (${t('proposals.number', { id: p.id })})` })),
      flagsNote(p),
      freeText('p', p.text, { className: 'proposal-text' }),
      h('dl', { className: 'facts' }, facts),
      answers(p),
      p.state === 'unconfirmed' ? h('p', { className: 'hint', textContent: t('proposals.unconfirmed_hint') }) : null,
      buttons.length ? h('div', { className: 'row-actions', role: 'group', 'aria-label': t('proposals.actions', { title: p.title }) }, buttons) : null));
}

// Dialogs.

export function buildModeration() {
  fillForm($('proposal-filter'),
    h('div', { className: 'filter-row' },
      selectField({ id: 'proposal-state', name: 'state', label: 'proposals.state', hint: 'proposals.state_hint' })),
    formButtons(h('button', { type: 'submit', id: 'proposal-show', dataset: { i18n: 'proposals.show' } })));
  $('proposal-state').replaceChildren(...STATES.map((s) => new Option(label('states', s), s)));
  $('proposal-filter').addEventListener('submit', (e) => {
    e.preventDefault();
    busy($('proposal-show'), async () => {
      await loadProposals();
      say($('proposals-count').textContent);
    });
  });

  const cancel = () => h('button', { type: 'button', dataset: { i18n: 'common.cancel' } });

  let c = cancel();
  fillForm($('mod-reject-form'),
    inputField({ id: 'mod-reject-reason', name: 'reason', label: 'proposals.reason', hint: 'proposals.reason_hint', multiline: true, limit: ANSWER_MAX }),
    formButtons(h('button', { type: 'submit', id: 'mod-reject-submit', className: 'primary', dataset: { i18n: 'proposals.reject_submit' } }), c));
  dialogs.reject = formDialog('mod-reject-dialog', c, null, backToList);
  $('mod-reject-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('mod-reject-submit'), submitReject); });

  c = cancel();
  fillForm($('mod-edit-form'),
    inputField({ id: 'mod-edit-title', name: 'title', label: 'proposals.title', hint: 'proposals.title_hint', limit: 120, autocomplete: 'off' }),
    inputField({ id: 'mod-edit-text', name: 'text', label: 'proposals.text', hint: 'proposals.text_hint', multiline: true, limit: 2000 }),
    h('div', { className: 'choice', id: 'mod-edit-photo-choice', hidden: true },
      h('input', { type: 'checkbox', id: 'mod-edit-remove-photo', name: 'remove_photo' }),
      h('label', { htmlFor: 'mod-edit-remove-photo', dataset: { i18n: 'proposals.remove_photo' } })),
    formButtons(h('button', { type: 'submit', id: 'mod-edit-submit', className: 'primary', dataset: { i18n: 'proposals.edit_submit' } }), c));
  $('mod-edit-text').rows = 8;
  dialogs.edit = formDialog('mod-edit-dialog', c, null, backToList);
  $('mod-edit-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('mod-edit-submit'), submitEdit); });

  c = cancel();
  fillForm($('mod-answer-form'),
    selectField({ id: 'mod-answer-status', name: 'status', label: 'proposals.status', hint: 'proposals.status_hint' }),
    inputField({ id: 'mod-answer-text', name: 'answer', label: 'proposals.answer_text', hint: 'proposals.answer_hint', multiline: true, limit: ANSWER_MAX }),
    formButtons(h('button', { type: 'submit', id: 'mod-answer-submit', className: 'primary', dataset: { i18n: 'proposals.answer_submit' } }), c));
  $('mod-answer-status').replaceChildren(...PROPOSAL_STATUSES.map((s) => new Option(label('statuses', s), s)));
  dialogs.answer = formDialog('mod-answer-dialog', c, null, backToList);
  $('mod-answer-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('mod-answer-submit'), submitAnswer); });

  c = cancel();
  fillForm($('mod-merge-form'),
    selectField({ id: 'mod-merge-into', name: 'into', label: 'proposals.merge_into', hint: 'proposals.merge_into_hint' }),
    h('p', { id: 'mod-merge-none', className: 'hint', hidden: true, dataset: { i18n: 'proposals.merge_none' } }),
    formButtons(h('button', { type: 'submit', id: 'mod-merge-submit', className: 'primary', dataset: { i18n: 'proposals.merge_submit' } }), c));
  dialogs.merge = formDialog('mod-merge-dialog', c, null, backToList);
  $('mod-merge-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('mod-merge-submit'), submitMerge); });

  window.app.moderation = { get proposals() { return admin.proposals; }, reload: loadProposals };
}

/** Focus when a dialog closes and its opener was drawn again: the same row's button. */
function backToList() {
  const key = acting?.key;
  return (key && document.querySelector(`[data-key="${CSS.escape(key)}"]`)) || $('proposals-heading');
}

function begin(opener, p) {
  acting = { proposal: p, opener, index: admin.proposals.findIndex((x) => x.id === p.id), key: opener.dataset.key };
}

/**
 * Sends one action with the version read. Resolves with the proposal as the server now has
 * it, or throws the ApiError (a 409 after the list is loaded again and `acting` follows it).
 */
async function send(body) {
  const p = acting.proposal;
  try {
    const { data } = await api('POST', `/api/moderation/proposals/${p.id}`, { body: { ...body, version: p.version } });
    return data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 409) {
      await loadProposals();
      const fresh = admin.proposals.find((x) => x.id === p.id);
      e.staleGone = !fresh;
      if (fresh) acting.proposal = fresh;
    }
    throw e;
  }
}

/** The words for a failed action. */
function failure(e) {
  if (e instanceof ApiError && e.status === 409) return t(e.staleGone ? 'proposals.stale_gone' : 'proposals.stale');
  if (notNow(e)) return `${t('proposals.not_now')} ${(e.errors.find((x) => x.field === 'action')?.reason ?? e.message)}`;
  return problemText(e);
}

/**
 * An action that does not fit the proposal's state: the contract's 400, or (as the server
 * answers today) a 422 whose one field error is `action`.
 */
const notNow = (e) => e instanceof ApiError && (
  (e.status === 400 && !e.errors.length && !/^[a-z_]+: /.test(e.message))
  || (e.status === 422 && e.errors.length > 0 && e.errors.every((x) => x.field === 'action')));

/**
 * After an action: the list drawn again, then focus on the same button when the proposal is
 * still listed, else on the proposal that took its place (or the one before), else the heading.
 */
async function after(done, text) {
  const { index, key } = acting;
  await loadProposals();
  const list = admin.proposals;
  const still = list.some((x) => x.id === done.id);
  if (still && key && document.querySelector(`[data-key="${CSS.escape(key)}"]`)) refocus(key, 'proposals-heading');
  else if (still) $(`proposal-${done.id}-title`)?.focus();
  else if (list.length) $(`proposal-${list[Math.min(Math.max(index, 0), list.length - 1)].id}-title`).focus();
  else $('proposals-heading').focus();
  say(text);
  acting = null;
}

/** Field errors from the server in a dialog; a 409 or a 400 in words, the dialog kept open. */
function dialogProblem(summary, e, fieldId, words) {
  if (e instanceof ApiError && (e.status === 409 || notNow(e))) {
    // Not a field's error: one line, in the summary's place (role=alert), focused.
    summary.replaceChildren(h('p', { className: 'error-summary-heading', textContent: failure(e) }));
    summary.hidden = false;
    summary.focus();
    return;
  }
  showFieldErrors(summary, e, fieldId, {}, words);
}

async function publish(button, p) {
  const lines = [t('proposals.publish_what')];
  if (p.flags?.length) lines.push(t('proposals.publish_flags'));
  const yes = await confirmDialog({
    heading: t('proposals.publish_heading', { title: p.title }), lines, yes: t('proposals.publish'), opener: button,
  });
  if (!yes) return;
  begin(button, p);
  showProblem('proposals-problem', null);
  let done = null;
  await busy(button, async () => {
    try {
      done = await send({ action: 'publish' });
    } catch (e) {
      showProblemWords(e);
    }
  });
  if (done) await after(acting.proposal, t('proposals.published', { title: acting.proposal.title }));
  else {
    refocus(acting.key, 'proposals-heading');
    acting = null;
  }
}

/** A failed row action in the section's problem line (role=alert). */
function showProblemWords(e) {
  const el = $('proposals-problem');
  if (e instanceof ApiError && (e.status === 409 || notNow(e))) {
    el.replaceChildren(failure(e));
    el.hidden = false;
  } else showProblem('proposals-problem', e);
}

function openReject(button, p) {
  begin(button, p);
  clearFieldErrors($('mod-reject-form'), $('mod-reject-errors'));
  $('mod-reject-form').reset();
  updateCounts($('mod-reject-form'));
  $('mod-reject-heading').textContent = t('proposals.reject_heading', { title: p.title });
  $('mod-reject-intro').textContent = t(p.state === 'published' ? 'proposals.reject_intro_published' : 'proposals.reject_intro');
  dialogs.reject.open(button);
  $('mod-reject-reason').focus();
}

async function submitReject() {
  const summary = $('mod-reject-errors');
  clearFieldErrors($('mod-reject-form'), summary);
  const reason = $('mod-reject-reason').value.trim();
  if (chars(reason) < 2 || chars(reason) > ANSWER_MAX) {
    showClientErrors(summary, [{ field: 'mod-reject-reason', text: t(chars(reason) > ANSWER_MAX ? 'errors.too_long' : 'errors.reason', { count: chars(reason), limit: ANSWER_MAX }) }]);
    return;
  }
  let done;
  try {
    done = await send({ action: 'reject', reason });
  } catch (e) {
    dialogProblem(summary, e, (f) => (f === 'reason' ? 'mod-reject-reason' : null));
    return;
  }
  const title = acting.proposal.title;
  await dialogs.reject.close();
  await after(done ?? acting.proposal, t('proposals.rejected', { title }));
}

function fillEditFlags(p) {
  $('mod-edit-flags').replaceChildren(flagsNote({ ...p, state: 'edit' }) ?? '');
}

function openEdit(button, p) {
  begin(button, p);
  clearFieldErrors($('mod-edit-form'), $('mod-edit-errors'));
  $('mod-edit-heading').textContent = t('proposals.edit_heading', { title: p.title });
  $('mod-edit-title').value = p.title;
  $('mod-edit-text').value = p.text;
  $('mod-edit-photo-choice').hidden = !p.photo;
  $('mod-edit-remove-photo').checked = false;
  fillEditFlags(p);
  updateCounts($('mod-edit-form'));
  dialogs.edit.open(button);
  $('mod-edit-text').focus();
}

async function submitEdit() {
  const summary = $('mod-edit-errors');
  clearFieldErrors($('mod-edit-form'), summary);
  const title = $('mod-edit-title').value.trim();
  const text = $('mod-edit-text').value.trim();
  const wrong = [];
  if (chars(title) < 3 || chars(title) > 120) wrong.push({ field: 'mod-edit-title', text: t('errors.proposal_title') });
  if (chars(text) < 10 || chars(text) > 2000) wrong.push({ field: 'mod-edit-text', text: t('errors.proposal_text') });
  if (wrong.length) {
    showClientErrors(summary, wrong);
    return;
  }
  let done;
  try {
    const removePhoto = !$('mod-edit-photo-choice').hidden && $('mod-edit-remove-photo').checked;
    done = await send({ action: 'edit', title, text, ...(removePhoto ? { remove_photo: true } : {}) });
  } catch (e) {
    dialogProblem(summary, e, (f) => ({ title: 'mod-edit-title', text: 'mod-edit-text' }[f] ?? null),
      { title: 'errors.proposal_title', text: 'errors.proposal_text' });
    if (e instanceof ApiError && e.status === 409 && !e.staleGone) fillEditFlags(acting.proposal);
    return;
  }
  await dialogs.edit.close();
  await after(done ?? acting.proposal, t('proposals.edited', { title }));
}

function openAnswer(button, p) {
  begin(button, p);
  clearFieldErrors($('mod-answer-form'), $('mod-answer-errors'));
  $('mod-answer-form').reset();
  updateCounts($('mod-answer-form'));
  $('mod-answer-heading').textContent = t('proposals.answer_heading', { title: p.title });
  $('mod-answer-intro').textContent = t(p.has_email ? 'proposals.answer_intro_email' : 'proposals.answer_intro_no_email');
  $('mod-answer-status').value = PROPOSAL_STATUSES.includes(p.status) ? p.status : 'received';
  dialogs.answer.open(button);
  $('mod-answer-status').focus();
}

async function submitAnswer() {
  const summary = $('mod-answer-errors');
  clearFieldErrors($('mod-answer-form'), summary);
  const status = $('mod-answer-status').value;
  const answer = $('mod-answer-text').value.trim();
  const wrong = [];
  if (!PROPOSAL_STATUSES.includes(status)) wrong.push({ field: 'mod-answer-status', text: t('errors.status') });
  if (chars(answer) < 2) wrong.push({ field: 'mod-answer-text', text: t('errors.answer') });
  else if (chars(answer) > ANSWER_MAX) wrong.push({ field: 'mod-answer-text', text: t('errors.too_long', { count: chars(answer), limit: ANSWER_MAX }) });
  if (wrong.length) {
    showClientErrors(summary, wrong);
    return;
  }
  let done;
  try {
    done = await send({ action: 'answer', status, answer });
  } catch (e) {
    dialogProblem(summary, e, (f) => ({ status: 'mod-answer-status', answer: 'mod-answer-text' }[f] ?? null));
    return;
  }
  const title = acting.proposal.title;
  await dialogs.answer.close();
  await after(done ?? acting.proposal, t('proposals.answered', { title, status: label('statuses', status) }));
}

async function openMerge(button, p) {
  begin(button, p);
  clearFieldErrors($('mod-merge-form'), $('mod-merge-errors'));
  $('mod-merge-heading').textContent = t('proposals.merge_heading', { title: p.title });
  let others = [];
  await busy(button, async () => {
    try {
      const { data } = await api('GET', '/api/moderation/proposals?state=published');
      others = data.proposals.filter((x) => x.id !== p.id).sort((a, b) => a.id - b.id);
    } catch (e) {
      showProblem('proposals-problem', e);
      others = null;
    }
  });
  if (others === null) return;
  const select = $('mod-merge-into');
  select.replaceChildren(new Option(t('proposals.merge_choose'), ''), ...others.map((o) => {
    const opt = new Option(t('proposals.merge_option', { id: o.id, title: o.title, supports: o.supports ?? 0 }), String(o.id));
    return opt;
  }));
  select.disabled = !others.length;
  $('mod-merge-none').hidden = others.length > 0;
  $('mod-merge-submit').disabled = !others.length;
  dialogs.merge.open(button);
  (others.length ? select : $('mod-merge-dialog').querySelector('button[type=button]')).focus();
}

async function submitMerge() {
  const summary = $('mod-merge-errors');
  clearFieldErrors($('mod-merge-form'), summary);
  const into = Number($('mod-merge-into').value);
  if (!into) {
    showClientErrors(summary, [{ field: 'mod-merge-into', text: t('errors.proposal_into') }]);
    return;
  }
  let done;
  try {
    done = await send({ action: 'merge', into });
  } catch (e) {
    dialogProblem(summary, e, (f) => (f === 'into' ? 'mod-merge-into' : null), { into: 'errors.proposal_into' });
    return;
  }
  const title = acting.proposal.title;
  await dialogs.merge.close();
  await after(done ?? acting.proposal, t('proposals.merged', { title, id: into }));
}
