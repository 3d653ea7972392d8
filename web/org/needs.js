// The organisation's volunteer needs: a list with "extend 30 days", "close" (delete) and each
// need's offers inbox (name, contact, message, state; "contacted" / "declined"), and a form
// for a new need (title, description, place, time commitment, skills, valid until).

import { $, h, announce, jumpTo } from '../kit/dom.js';
import { t, formatDate, formatDateTime } from '../kit/i18n.js';
import { showErrorSummary } from '../kit/forms.js';
import { api, ApiError, osloDate } from './api.js';
import { orgField } from './context.js';
import { inputField, formButtons, clearErrors, showServerErrors, fillForm } from './fields.js';
import { placeField, setPlace, readPlace, placeInput, facilities } from './place.js';
import { confirmAction } from './confirm.js';
import { orgItems, renderItems, placeText, itemButton, facts } from './items.js';

let needs = [];

export async function loadNeeds() {
  needs = await orgItems('volunteer-needs');
  renderItems('need-list', needs, 'needs-heading', 'needs.none', (f) => {
    const p = f.properties;
    const inbox = h('div', { id: `offers-${f.id}`, className: 'offers', hidden: true });
    const toggle = h('button', {
      type: 'button', className: 'small', 'aria-expanded': 'false', 'aria-controls': inbox.id,
      on: { click: () => toggleOffers(f, toggle, inbox) },
    }, t('needs.offers'), h('span', { className: 'visually-hidden', textContent: ` ${p.title}` }));
    return [
      facts([['needs.until', formatDate(p.valid_until)], ['needs.commitment', p.time_commitment], ['activities.place', placeText(p)]]),
      h('div', { className: 'buttons' },
        toggle,
        itemButton('needs.extend', p.title, () => extend(f)),
        itemButton('needs.close', p.title, (e) => close(f, e.currentTarget))),
      inbox];
  });
}

async function toggleOffers(f, toggle, inbox) {
  const open = toggle.getAttribute('aria-expanded') !== 'true';
  toggle.setAttribute('aria-expanded', String(open));
  inbox.hidden = !open;
  if (open) await loadOffers(f, inbox);
}

async function loadOffers(f, inbox) {
  const { data } = await api('GET', `/api/collections/volunteer-needs/items/${f.id}/offers`);
  const headingId = `offers-${f.id}-heading`;
  const heading = h('h4', { id: headingId, tabIndex: -1, textContent: t('offers.heading', { title: f.properties.title, count: data.offers.length }) });
  if (!data.offers.length) {
    inbox.replaceChildren(heading, h('p', { className: 'empty', textContent: t('offers.none') }));
    return;
  }
  inbox.replaceChildren(heading, h('ul', { className: 'offer-list', 'aria-labelledby': headingId }, data.offers.map((o) => {
    const stateLine = h('p', { className: `offer-state state-${o.state}`, textContent: t(`offers.state_${o.state}`) });
    const setState = async (state) => {
      await api('PATCH', `/api/offers/${o.id}`, { body: { state } });
      o.state = state;
      stateLine.className = `offer-state state-${state}`;
      stateLine.textContent = t(`offers.state_${state}`);
      announce(t('offers.marked', { name: o.name, state: t(`offers.state_${state}`) }));
    };
    return h('li', { className: 'offer', dataset: { id: String(o.id) } },
      h('p', { className: 'offer-name', textContent: o.name }),
      h('p', {}, h('span', { textContent: `${t('offers.contact')}: ` }), h('span', { className: 'offer-contact', textContent: o.contact })),
      o.message ? h('p', { className: 'offer-message', textContent: o.message }) : null,
      h('p', { className: 'hint', textContent: t('offers.received', { when: formatDateTime(new Date(o.created_ms).toISOString()) }) }),
      stateLine,
      h('div', { className: 'buttons' },
        itemButton('offers.contacted', o.name, () => setState('contacted')),
        itemButton('offers.declined', o.name, () => setState('declined'))));
  })));
}

async function extend(f) {
  const p = f.properties;
  const today = osloDate();
  const until = osloDate(30, p.valid_until > today ? p.valid_until : today);
  let message;
  try {
    await api('PATCH', `/api/collections/volunteer-needs/items/${f.id}`, { body: { valid_until: until }, version: p.version });
    message = t('needs.extended', { title: p.title, date: formatDate(until) });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    message = e.status === 412 ? t('errors.stale_list') : e.message;
  }
  // Said once the list shows it.
  await loadNeeds();
  $('page-status').textContent = message;
}

async function close(f, opener) {
  if (!await confirmAction(t('needs.close_question', { title: f.properties.title }), t('needs.close'), opener)) return;
  let message;
  try {
    await api('DELETE', `/api/collections/volunteer-needs/items/${f.id}`, { version: f.properties.version });
    message = t('needs.closed', { title: f.properties.title });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    message = e.status === 412 ? t('errors.stale_list') : e.message;
  }
  await loadNeeds();
  $('page-status').textContent = message;
  jumpTo('needs-heading');
}

export function buildNeeds() {
  fillForm($('need-form'),
    inputField({ id: 'need-title', name: 'title', label: 'need.title', maxLength: 120 }),
    inputField({ id: 'need-description', name: 'description', label: 'need.description', multiline: true, required: false, maxLength: 2000 }),
    placeField('need'),
    inputField({ id: 'need-commitment', name: 'time_commitment', label: 'need.commitment', hint: 'need.commitment_hint', maxLength: 200 }),
    inputField({ id: 'need-skills', name: 'skills', label: 'need.skills', hint: 'need.skills_hint', required: false }),
    inputField({ id: 'need-until', name: 'valid_until', label: 'need.until', type: 'date' }),
    formButtons(
      h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'common.save' } }),
      h('button', { type: 'button', dataset: { i18n: 'common.cancel' }, on: { click: closeForm } })));
  $('need-new').addEventListener('click', openForm);
  $('need-form').addEventListener('submit', (e) => { e.preventDefault(); saveNeed(); });
}

async function openForm() {
  await facilities();
  $('need-form').reset();
  clearErrors($('need-form'), $('need-errors'));
  $('need-until').value = osloDate(60);
  await setPlace('need', null);
  $('need-editor').hidden = false;
  $('need-new').hidden = true;
  jumpTo('need-editor-heading');
}

function closeForm() {
  $('need-editor').hidden = true;
  $('need-new').hidden = false;
  $('need-new').focus();
}

const NEED_INPUTS = { title: 'need-title', description: 'need-description', time_commitment: 'need-commitment', valid_until: 'need-until' };

async function saveNeed() {
  clearErrors($('need-form'), $('need-errors'));
  const doc = {
    title: $('need-title').value.trim(),
    place: readPlace('need'),
    time_commitment: $('need-commitment').value.trim(),
    skills: $('need-skills').value.split(',').map((s) => s.trim()).filter(Boolean),
    valid_until: $('need-until').value,
  };
  const description = $('need-description').value.trim();
  if (description) doc.description = description;
  if (!doc.place || !doc.valid_until) {
    const errors = [];
    if (!doc.place) errors.push({ field: placeInput('need'), text: t('errors.place_missing') });
    if (!doc.valid_until) errors.push({ field: 'need-until', text: t('errors.valid_until') });
    showErrorSummary($('need-errors'), t('errors.heading', { count: errors.length }), errors);
    $('need-errors').focus();
    return;
  }
  try {
    await api('POST', '/api/collections/volunteer-needs/items', { body: { ...doc, ...orgField() } });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    showServerErrors($('need-errors'), e, (field) => (field.startsWith('place') ? placeInput('need')
      : field.startsWith('skills') ? 'need-skills' : NEED_INPUTS[field] ?? null));
    return;
  }
  $('need-editor').hidden = true;
  $('need-new').hidden = false;
  await loadNeeds();
  $('page-status').textContent = t('needs.created', { title: doc.title });
  $('need-new').focus();
}
