// The activity editor: title, description, category, ages, price, place, the weekly schedule,
// sign-up address. Writes: POST a new one (a copy too), PUT the whole document with If-Match.
// A 412 means someone else saved first: the form keeps what the person typed, takes the
// other version for the rest and says what changed (stale.js); the next save wins.

import { $, h, jumpTo } from '../kit/dom.js';
import { t, formatNumber } from '../kit/i18n.js';
import { CATEGORIES } from '../kit/domain.js';
import { api, versionOf } from './api.js';
import { orgField } from './context.js';
import { inputField, selectField, formButtons, clearErrors, showServerErrors, showClientErrors, fillForm, onSubmit, updateCounts, lengthErrors, reportError } from './fields.js';
import { placeField, setPlace, readPlace, placeInput, facilities, facilityLabel } from './place.js';
import { scheduleField, setSchedule, readSchedule, scheduleInput } from './schedule.js';
import { mergeStale, staleNote } from './stale.js';
import { loadActivities } from './activities.js';

// The parts of an activity document the form does not edit, kept as they are on a PUT.
const KEPT = ['price_note', 'languages', 'accessibility', 'contact', 'paused'];
let editing = null; // { id, version, base, opened } while the editor is open

const INPUTS = {
  title: 'act-title', description: 'act-description', category: 'act-category', age_min: 'act-age-min',
  age_max: 'act-age-max', price_nok: 'act-price', signup_url: 'act-signup',
};
const LABELS = {
  title: 'activity.title', description: 'activity.description', category: 'activity.category', age_min: 'activity.age_min',
  age_max: 'activity.age_max', price_nok: 'activity.price', signup_url: 'activity.signup', place: 'place.legend', schedule: 'schedule.legend',
};

export function buildActivityEditor() {
  fillForm($('activity-form'),
    inputField({ id: 'act-title', name: 'title', label: 'activity.title', hint: 'activity.title_hint', limit: 120 }),
    inputField({ id: 'act-description', name: 'description', label: 'activity.description', multiline: true, required: false, limit: 2000 }),
    selectField({ id: 'act-category', name: 'category', label: 'activity.category' }),
    h('div', { className: 'two' },
      inputField({ id: 'act-age-min', name: 'age_min', label: 'activity.age_min', type: 'number', required: false, attrs: { min: 0, max: 120, inputmode: 'numeric' } }),
      inputField({ id: 'act-age-max', name: 'age_max', label: 'activity.age_max', type: 'number', required: false, attrs: { min: 0, max: 120, inputmode: 'numeric' } })),
    // Text, not a number input: «150,50» (a Norwegian decimal comma) must not become 15050.
    inputField({ id: 'act-price', name: 'price_nok', label: 'activity.price', hint: 'activity.price_hint', attrs: { inputmode: 'decimal', autocomplete: 'off' } }),
    placeField('act', { withMap: true }),
    scheduleField(),
    inputField({ id: 'act-signup', name: 'signup_url', label: 'activity.signup', hint: 'activity.signup_hint', type: 'url', required: false }),
    formButtons(
      h('button', { type: 'submit', id: 'act-save', className: 'primary', dataset: { i18n: 'common.save' } }),
      h('button', { type: 'button', id: 'act-cancel', dataset: { i18n: 'common.cancel' }, on: { click: closeEditor } })));
  onSubmit($('activity-form'), save);
  $('activity-new').addEventListener('click', () => openEditor('new').catch(reportError));
}

/** A price as the person wrote it: «150», «150,50», «150.5», «1 500 kr»; NaN when it is not one. */
export function parsePrice(text) {
  const v = text.replace(/\s+/g, '').replace(/(kr|nok)\.?$/i, '');
  if (v === '') return -1; // the server says a price is needed
  return /^-?\d+(?:[.,]\d+)?$/.test(v) ? Number(v.replace(',', '.')) : NaN;
}

/** 150.5 → «150,5» in Norwegian, "150.5" in English. */
const priceText = (n) => (n == null ? '' : formatNumber(n, { useGrouping: false, maximumFractionDigits: 2 }));

function fillCategories(value) {
  $('act-category').replaceChildren(...CATEGORIES.map((c) => new Option(t(`categories.${c}`), c)));
  $('act-category').value = value ?? CATEGORIES[0];
}

async function fill(p) {
  $('act-title').value = p?.title ?? '';
  $('act-description').value = p?.description ?? '';
  fillCategories(p?.category);
  $('act-age-min').value = p?.age_min ?? '';
  $('act-age-max').value = p?.age_max ?? '';
  $('act-price').value = priceText(p?.price_nok ?? 0);
  $('act-signup').value = p?.signup_url ?? '';
  setSchedule(p?.schedule);
  await setPlace('act', p?.place);
  updateCounts($('activity-form'));
}

// The editor as stale.js sees it.
const EDITOR = {
  snapshot: () => ({
    ...Object.fromEntries(Object.entries(INPUTS).map(([k, id]) => [k, $(id).value])),
    place: readPlace('act'), schedule: readSchedule(),
  }),
  fill,
  async restore(key, raw) {
    if (key === 'place') await setPlace('act', raw);
    else if (key === 'schedule') setSchedule(raw);
    else $(INPUTS[key]).value = raw;
    updateCounts($('activity-form'));
  },
  label: (key) => t(LABELS[key]),
  text(key, raw) {
    if (key === 'schedule') return null;
    if (key === 'place') return raw?.facility_id ? facilityLabel(raw.facility_id) : null;
    if (key === 'category') return t(`categories.${raw}`);
    return raw === '' ? t('stale.empty') : raw;
  },
};

/** Opens the editor: `mode` 'new', 'edit' (feature `f`) or 'copy' (a new one from `f`). */
export async function openEditor(mode, f) {
  clearErrors($('activity-form'), $('activity-errors'));
  $('activity-editor-note').replaceChildren();
  await facilities();
  let p = f?.properties;
  let version = null;
  if (mode === 'edit') {
    const r = await api('GET', `/api/collections/activities/items/${f.id}`);
    p = r.data.properties;
    version = versionOf(r.etag);
  }
  $('activity-editor-heading').textContent = mode === 'new' ? t('activity.new_heading')
    : t(`activity.${mode}_heading`, { title: p.title });
  $('activity-editor').hidden = false;
  $('activity-new').hidden = true;
  // A copy is a new activity, not paused.
  const base = mode === 'copy' ? { ...p, paused: undefined } : p ?? {};
  await fill(mode === 'copy' ? { ...p, title: t('activity.copy_title', { title: p.title }) } : p);
  editing = { id: mode === 'edit' ? f.id : null, version, base, opened: EDITOR.snapshot() };
  jumpTo('activity-editor-heading');
}

function closeEditor() {
  $('activity-editor').hidden = true;
  $('activity-new').hidden = false;
  editing = null;
  $('activity-new').focus();
}

const optionalNumber = (id) => ($(id).value.trim() === '' ? undefined : Number($(id).value));

function readForm() {
  const doc = {};
  for (const k of KEPT) if (editing.base[k] !== undefined) doc[k] = editing.base[k];
  Object.assign(doc, {
    title: $('act-title').value.trim(),
    category: $('act-category').value,
    price_nok: parsePrice($('act-price').value),
    place: readPlace('act'),
    schedule: readSchedule(),
  });
  const description = $('act-description').value.trim();
  if (description) doc.description = description;
  for (const [k, id] of [['age_min', 'act-age-min'], ['age_max', 'act-age-max']]) {
    const v = optionalNumber(id);
    if (v !== undefined) doc[k] = v;
  }
  const signup = $('act-signup').value.trim();
  if (signup) doc.signup_url = signup;
  return doc;
}

function fieldId(field) {
  if (field === 'place' || field.startsWith('place.')) return placeInput('act');
  if (field.startsWith('schedule')) return scheduleInput(field);
  return INPUTS[field] ?? null;
}

async function save() {
  const summary = $('activity-errors');
  clearErrors($('activity-form'), summary);
  const doc = readForm();
  const errors = lengthErrors($('activity-form'));
  if (Number.isNaN(doc.price_nok)) errors.push({ field: 'act-price', text: t('errors.price_format') });
  if (!doc.place) errors.push({ field: placeInput('act'), text: t('errors.place_missing') });
  if (errors.length) {
    showClientErrors(summary, errors);
    return;
  }
  const { id, version } = editing;
  let saved;
  try {
    const r = id == null
      ? await api('POST', '/api/collections/activities/items', { body: { ...doc, ...orgField() } })
      : await api('PUT', `/api/collections/activities/items/${id}`, { body: doc, version });
    saved = r.data;
  } catch (e) {
    if (e.status === 412) await stale(id);
    else showServerErrors(summary, e, fieldId);
    return;
  }
  $('activity-editor').hidden = true;
  $('activity-new').hidden = false;
  editing = null;
  await loadActivities();
  $('page-status').textContent = t(id == null ? 'activity.created' : 'activity.saved', { title: saved.properties.title });
  const row = document.querySelector(`#activity-list li[data-id="${saved.id}"] button`);
  (row ?? $('activity-new')).focus();
}

/** Someone else saved activity `id` first: their version under what the person typed. */
async function stale(id) {
  const r = await api('GET', `/api/collections/activities/items/${id}`);
  const { opened, changes } = await mergeStale(EDITOR, editing.opened, r.data.properties);
  editing = { id, version: versionOf(r.etag), base: r.data.properties, opened };
  staleNote($('activity-editor-note'), EDITOR, changes);
  $('activity-editor-note').focus();
}
