// A volunteer need's form, new or edited: title, description, place, time commitment, skills,
// valid until. A new one is POSTed; an edit is a PATCH with If-Match (its offers stay). A 412
// keeps what the person typed under the other version (stale.js).

import { $, h, jumpTo } from '../kit/dom.js';
import { t, formatDate } from '../kit/i18n.js';
import { api, osloDate, versionOf } from './api.js';
import { orgField } from './context.js';
import { inputField, formButtons, clearErrors, showServerErrors, showClientErrors, fillForm, onSubmit, updateCounts, lengthErrors, reportError } from './fields.js';
import { placeField, setPlace, readPlace, placeInput, facilities, facilityLabel } from './place.js';
import { mergeStale, staleNote } from './stale.js';
import { loadNeeds } from './needs.js';

const INPUTS = { title: 'need-title', description: 'need-description', time_commitment: 'need-commitment', skills: 'need-skills', valid_until: 'need-until' };
let editing = null; // { id, version, opened } while a need is edited

export function buildNeedEditor() {
  fillForm($('need-form'),
    inputField({ id: 'need-title', name: 'title', label: 'need.title', hint: 'need.title_hint', limit: 120 }),
    inputField({ id: 'need-description', name: 'description', label: 'need.description', multiline: true, required: false, limit: 2000 }),
    placeField('need'),
    inputField({ id: 'need-commitment', name: 'time_commitment', label: 'need.commitment', hint: 'need.commitment_hint', limit: 200 }),
    inputField({ id: 'need-skills', name: 'skills', label: 'need.skills', hint: 'need.skills_hint', required: false }),
    inputField({ id: 'need-until', name: 'valid_until', label: 'need.until', type: 'date' }),
    formButtons(
      h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'common.save' } }),
      h('button', { type: 'button', dataset: { i18n: 'common.cancel' }, on: { click: closeForm } })));
  $('need-new').addEventListener('click', () => openNeedEditor(null).catch(reportError));
  onSubmit($('need-form'), saveNeed);
}

function fill(p) {
  $('need-title').value = p?.title ?? '';
  $('need-description').value = p?.description ?? '';
  $('need-commitment').value = p?.time_commitment ?? '';
  $('need-skills').value = (p?.skills ?? []).join(', ');
  $('need-until').value = p?.valid_until ?? osloDate(60);
  updateCounts($('need-form'));
  return setPlace('need', p?.place ?? null);
}

// The form as stale.js sees it.
const EDITOR = {
  snapshot: () => ({ ...Object.fromEntries(Object.entries(INPUTS).map(([k, id]) => [k, $(id).value])), place: readPlace('need') }),
  fill,
  async restore(key, raw) {
    if (key === 'place') await setPlace('need', raw);
    else $(INPUTS[key]).value = raw;
    updateCounts($('need-form'));
  },
  label: (key) => t(key === 'place' ? 'place.legend' : `need.${{ time_commitment: 'commitment', valid_until: 'until' }[key] ?? key}`),
  text(key, raw) {
    if (key === 'place') return raw?.facility_id ? facilityLabel(raw.facility_id) : null;
    if (key === 'valid_until') return formatDate(raw);
    return raw === '' ? t('stale.empty') : raw;
  },
};

/** Opens the form for a new need (`f` null) or for need `f`, read anew from the server. */
export async function openNeedEditor(f) {
  await facilities();
  clearErrors($('need-form'), $('need-errors'));
  $('need-editor-note').replaceChildren();
  let p = null;
  let version = null;
  if (f) {
    const r = await api('GET', `/api/collections/volunteer-needs/items/${f.id}`);
    p = r.data.properties;
    version = versionOf(r.etag);
  }
  $('need-editor-heading').textContent = f ? t('need.edit_heading', { title: p.title }) : t('needs.new_heading');
  await fill(p);
  editing = { id: f?.id ?? null, version, opened: EDITOR.snapshot() };
  $('need-editor').hidden = false;
  $('need-new').hidden = true;
  jumpTo('need-editor-heading');
}

function closeForm() {
  $('need-editor').hidden = true;
  $('need-new').hidden = false;
  editing = null;
  $('need-new').focus();
}

async function saveNeed() {
  const summary = $('need-errors');
  clearErrors($('need-form'), summary);
  const doc = {
    title: $('need-title').value.trim(),
    place: readPlace('need'),
    time_commitment: $('need-commitment').value.trim(),
    skills: $('need-skills').value.split(',').map((s) => s.trim()).filter(Boolean),
    valid_until: $('need-until').value,
  };
  const description = $('need-description').value.trim();
  const errors = lengthErrors($('need-form'));
  if (!doc.place) errors.push({ field: placeInput('need'), text: t('errors.place_missing') });
  if (!doc.valid_until) errors.push({ field: 'need-until', text: t('errors.valid_until') });
  if (errors.length) {
    showClientErrors(summary, errors);
    return;
  }
  const { id, version } = editing;
  try {
    if (id == null) {
      await api('POST', '/api/collections/volunteer-needs/items', { body: { ...doc, ...(description ? { description } : {}), ...orgField() } });
    } else {
      // A merge patch: null takes an emptied description away.
      await api('PATCH', `/api/collections/volunteer-needs/items/${id}`, { body: { ...doc, description: description || null }, version });
    }
  } catch (e) {
    if (e.status === 412) await stale(id);
    else {
      showServerErrors(summary, e, (field) => (field.startsWith('place') ? placeInput('need')
        : field.startsWith('skills') ? 'need-skills' : INPUTS[field] ?? null));
    }
    return;
  }
  $('need-editor').hidden = true;
  $('need-new').hidden = false;
  editing = null;
  await loadNeeds();
  $('page-status').textContent = t(id == null ? 'needs.created' : 'needs.saved', { title: doc.title });
  const row = id == null ? null : document.querySelector(`#need-list li[data-id="${id}"] button`);
  (row ?? $('need-new')).focus();
}

async function stale(id) {
  const r = await api('GET', `/api/collections/volunteer-needs/items/${id}`);
  const { opened, changes } = await mergeStale(EDITOR, editing.opened, r.data.properties);
  editing = { id, version: versionOf(r.etag), opened };
  staleNote($('need-editor-note'), EDITOR, changes);
  $('need-editor-note').focus();
}
