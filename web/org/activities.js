// The organisation's activities: a list (title, category, next session, place) with edit,
// copy and delete, and the editor (title, description, category, ages, price, place, the
// weekly schedule, sign-up address). Writes: POST a new one, PUT the whole document with
// If-Match; a 412 means someone else saved first: the form then shows their version.

import { $, h, announce, jumpTo } from '../kit/dom.js';
import { t, formatSession } from '../kit/i18n.js';
import { CATEGORIES } from '../kit/domain.js';
import { api, ApiError, versionOf } from './api.js';
import { orgField } from './context.js';
import { orgItems, renderItems, placeText, itemButton, facts } from './items.js';
import { inputField, selectField, formButtons, clearErrors, showServerErrors, fillForm } from './fields.js';
import { placeField, setPlace, readPlace, placeInput, facilities } from './place.js';
import { scheduleField, setSchedule, readSchedule, scheduleInput } from './schedule.js';
import { confirmAction } from './confirm.js';
import { showErrorSummary } from '../kit/forms.js';

// The parts of an activity document the form does not edit, kept as they are on a PUT.
const KEPT = ['price_note', 'languages', 'accessibility', 'contact'];
let items = [];
let editing = null; // { id, version, base } while an existing activity is edited

const categoryLabel = (p) => t(`categories.${p.category}`);

export async function loadActivities() {
  items = await orgItems('activities');
  renderList();
}

function renderList() {
  renderItems('activity-list', items, 'activities-heading', 'activities.none', (f) => {
    const p = f.properties;
    return [
      facts([['activities.category', categoryLabel(p)],
        ['activities.next', p.next_session ? formatSession(p.next_session.start) : t('activities.no_next')],
        ['activities.place', placeText(p)]]),
      h('div', { className: 'buttons' },
        itemButton('common.edit', p.title, () => openEditor('edit', f)),
        itemButton('activities.copy', p.title, () => openEditor('copy', f)),
        itemButton('common.delete', p.title, (e) => remove(f, e.currentTarget)))];
  });
}

export function buildActivities() {
  fillForm($('activity-form'),
    inputField({ id: 'act-title', name: 'title', label: 'activity.title', hint: 'activity.title_hint', maxLength: 120 }),
    inputField({ id: 'act-description', name: 'description', label: 'activity.description', multiline: true, required: false, maxLength: 2000 }),
    selectField({ id: 'act-category', name: 'category', label: 'activity.category' }),
    h('div', { className: 'two' },
      inputField({ id: 'act-age-min', name: 'age_min', label: 'activity.age_min', type: 'number', required: false, attrs: { min: 0, max: 120, inputmode: 'numeric' } }),
      inputField({ id: 'act-age-max', name: 'age_max', label: 'activity.age_max', type: 'number', required: false, attrs: { min: 0, max: 120, inputmode: 'numeric' } })),
    inputField({ id: 'act-price', name: 'price_nok', label: 'activity.price', hint: 'activity.price_hint', type: 'number', attrs: { min: 0, step: 'any', inputmode: 'decimal' } }),
    placeField('act', { withMap: true }),
    scheduleField(),
    inputField({ id: 'act-signup', name: 'signup_url', label: 'activity.signup', hint: 'activity.signup_hint', type: 'url', required: false }),
    formButtons(
      h('button', { type: 'submit', id: 'act-save', className: 'primary', dataset: { i18n: 'common.save' } }),
      h('button', { type: 'button', id: 'act-cancel', dataset: { i18n: 'common.cancel' }, on: { click: closeEditor } })));
  $('activity-form').addEventListener('submit', (e) => { e.preventDefault(); save(); });
  $('activity-new').addEventListener('click', () => openEditor('new'));
}

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
  $('act-price').value = String(p?.price_nok ?? 0);
  $('act-signup').value = p?.signup_url ?? '';
  setSchedule(p?.schedule);
  await setPlace('act', p?.place);
}

/** Opens the editor: `mode` 'new', 'edit' (feature `f`) or 'copy' (a new one from `f`). */
export async function openEditor(mode, f) {
  clearErrors($('activity-form'), $('activity-errors'));
  $('activity-editor-note').textContent = '';
  await facilities();
  editing = null;
  let p = f?.properties;
  if (mode === 'edit') {
    const r = await api('GET', `/api/collections/activities/items/${f.id}`);
    p = r.data.properties;
    editing = { id: f.id, version: versionOf(r.etag), base: p };
  }
  $('activity-editor-heading').textContent = mode === 'new' ? t('activity.new_heading')
    : t(`activity.${mode}_heading`, { title: p.title });
  $('activity-editor').hidden = false;
  $('activity-new').hidden = true;
  await fill(mode === 'copy' ? { ...p, title: t('activity.copy_title', { title: p.title }) } : p);
  editing ??= { id: null, version: null, base: p ?? {} };
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
    price_nok: $('act-price').value.trim() === '' ? -1 : Number($('act-price').value),
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

const FIELD_INPUTS = {
  title: 'act-title', description: 'act-description', category: 'act-category', age_min: 'act-age-min',
  age_max: 'act-age-max', price_nok: 'act-price', signup_url: 'act-signup',
};

function fieldId(field) {
  if (field === 'place' || field.startsWith('place.')) return placeInput('act');
  if (field.startsWith('schedule')) return scheduleInput(field);
  return FIELD_INPUTS[field] ?? null;
}

async function save() {
  clearErrors($('activity-form'), $('activity-errors'));
  const doc = readForm();
  if (!doc.place) {
    showErrorSummary($('activity-errors'), t('errors.heading', { count: 1 }), [{ field: placeInput('act'), text: t('errors.place_missing') }]);
    $('activity-errors').focus();
    return;
  }
  const { id, version } = editing;
  try {
    const r = id == null
      ? await api('POST', '/api/collections/activities/items', { body: { ...doc, ...orgField() } })
      : await api('PUT', `/api/collections/activities/items/${id}`, { body: doc, version });
    const saved = r.data;
    $('activity-editor').hidden = true;
    $('activity-new').hidden = false;
    editing = null;
    await loadActivities();
    $('page-status').textContent = t(id == null ? 'activity.created' : 'activity.saved', { title: saved.properties.title });
    const row = document.querySelector(`#activity-list li[data-id="${saved.id}"] button`);
    (row ?? $('activity-new')).focus();
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    if (e.status === 412) {
      const f = items.find((x) => x.id === id) ?? { id };
      await openEditor('edit', f);
      $('activity-editor-note').textContent = t('errors.stale');
      return;
    }
    showServerErrors($('activity-errors'), e, fieldId);
  }
}

async function remove(f, opener) {
  const ok = await confirmAction(t('activities.delete_question', { title: f.properties.title }), t('common.delete'), opener);
  if (!ok) return;
  let said = () => announce(t('activities.deleted', { title: f.properties.title }));
  try {
    await api('DELETE', `/api/collections/activities/items/${f.id}`, { version: f.properties.version });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    said = () => { $('page-status').textContent = e.status === 412 ? t('errors.stale_list') : e.message; };
  }
  // Said once the list shows it.
  await loadActivities();
  said();
  jumpTo('activities-heading');
}
