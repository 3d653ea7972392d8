// «Stedene dere driver» (issue 18): the facilities the chosen organisation runs (staff set
// `operator_org` on /admin), from GET /api/organisations/{id}/facilities; the section shows
// only when there is at least one. A card each: its hours for the next seven days
// (kit/week.js, from the facility's `opening_hours_week`; the text when it cannot be read) and
// its hours as OpenStreetMap writes them (a hint with an example and a link to the syntax).
// Saving is PATCH /api/collections/facilities/items/{id} with `opening_hours` only; the server
// builds its data anew before it answers (seconds), so the card says «Lagrer …» and its button
// is disabled meanwhile. A 422 stands beside the field and in the card's error summary; a
// success is said in the card's status line and shows the new week.

import { $, h } from '../kit/dom.js';
import { t, tNodes, currentLanguage, applyStatic } from '../kit/i18n.js';
import { weekTable } from '../kit/week.js';
import { api } from './api.js';
import { page } from './context.js';
import { inputField, formButtons, clearErrors, showServerErrors, showClientErrors, onSubmit } from './fields.js';
import { nb } from './items.js';

/** The longest hours text the server takes, in bytes (UTF-8). */
const MAX_HOURS_BYTES = 255;
const EXAMPLE = 'Mo-Fr 08:00-16:00; Sa 10:00-14:00; PH off';
const SYNTAX = 'https://wiki.openstreetmap.org/wiki/Key:opening_hours';

let loading = 0;

const bytes = (s) => new TextEncoder().encode(s).length;
const kindOf = (p) => p[`kind_label_${currentLanguage() === 'en' ? 'en' : 'nb'}`] ?? p.kind;
/** The facility's name (its own words), or its kind and number when it has none. */
const nameOf = (f) => (f.name ? nb(f.name) : t('runs.unnamed', { kind: kindOf(f), id: f.id }));
const nameText = (f) => f.name || t('runs.unnamed', { kind: kindOf(f), id: f.id });

/** Shows the section for the chosen organisation, or hides it when it runs no facility. */
export async function loadRuns() {
  const mine = ++loading;
  const show = (on) => { $('runs').hidden = !on; $('runs-link').hidden = !on; };
  show(false);
  let list;
  try {
    const { data } = await api('GET', `/api/organisations/${page.org}/facilities`);
    list = data.facilities ?? [];
    // Each one as served: its week.
    const served = await Promise.all(list.map((f) => api('GET', `/api/collections/facilities/items/${f.id}`).then((r) => r.data)));
    list = list.map((f, i) => ({ ...f, feature: served[i] }));
  } catch (e) {
    console.warn(e);
    return;
  }
  if (mine !== loading || !list.length) return;
  $('runs-list').replaceChildren(h('ul', { className: 'items', 'aria-labelledby': 'runs-heading' }, list.map(card)));
  show(true);
}

/** A facility's card: name, kind, week, and the hours' form. */
function card(f) {
  const id = `runs-${f.id}`;
  const li = h('li', { className: 'item runs-item', dataset: { id: String(f.id) } },
    h('h3', {}, nameOf(f)),
    h('p', { className: 'hint', textContent: kindOf(f) }),
    h('div', { id: `${id}-week` }),
    h('form', { id: `${id}-form`, noValidate: true },
      h('div', { id: `${id}-errors`, className: 'error-summary', role: 'alert', tabIndex: -1, hidden: true }),
      inputField({ id: `${id}-oh`, name: 'opening_hours', label: 'runs.opening_hours', hint: 'runs.opening_hours_hint', required: false, optional: null, autocomplete: 'off' }),
      formButtons(h('button', { type: 'submit', id: `${id}-save`, className: 'primary' },
        t('runs.save'), h('span', { className: 'visually-hidden' }, ' ', nameOf(f))))),
    h('p', { id: `${id}-status`, className: 'status-line', role: 'status' }));
  applyStatic(li);
  // The hint: the syntax by example, and where it is described.
  const hint = li.querySelector(`#${id}-oh-hint`);
  hint.removeAttribute('data-i18n');
  hint.replaceChildren(...tNodes('runs.opening_hours_hint', {
    example: h('code', { className: 'opening-hours', translate: false, textContent: EXAMPLE }),
  }), ' ', h('a', { href: SYNTAX, hreflang: 'en', textContent: t('runs.syntax_link') }));
  const input = li.querySelector(`#${id}-oh`);
  input.spellcheck = false;
  input.classList.add('opening-hours');
  const state = { feature: f.feature };
  input.value = state.feature.properties.opening_hours ?? '';
  renderWeek(li, f, state.feature);
  onSubmit(li.querySelector('form'), () => save(li, f, state));
  return li;
}

/** The hours as residents see them: the week, or the text that could not be read, or none. */
function renderWeek(li, f, feature) {
  const p = feature.properties;
  const table = weekTable(p.opening_hours_week, { label: nameOf(f), id: `runs-${f.id}-week-table` });
  let shown;
  if (table) shown = table;
  else if (p.opening_hours) {
    shown = h('p', { className: 'hint' }, t('runs.unreadable'), ' ',
      h('code', { className: 'opening-hours', translate: false, textContent: p.opening_hours }));
  } else shown = h('p', { className: 'empty', textContent: t('runs.none') });
  li.querySelector(`#runs-${f.id}-week`).replaceChildren(shown);
}

async function save(li, f, state) {
  const id = `runs-${f.id}`;
  const form = $(`${id}-form`);
  const summary = $(`${id}-errors`);
  const status = $(`${id}-status`);
  clearErrors(form, summary);
  const hours = $(`${id}-oh`).value.trim();
  if (bytes(hours) > MAX_HOURS_BYTES) {
    status.textContent = '';
    showClientErrors(summary, [{ field: `${id}-oh`, text: t('errors.opening_hours_long') }]);
    return;
  }
  if (hours === (state.feature.properties.opening_hours ?? '')) {
    status.textContent = t('runs.unchanged');
    return;
  }
  // The server builds its data anew before it answers: that can take some seconds.
  status.textContent = t('runs.saving');
  $(`${id}-save`).setAttribute('aria-busy', 'true');
  let data;
  try {
    ({ data } = await api('PATCH', `/api/collections/facilities/items/${f.id}`, { body: { opening_hours: hours || null } }));
  } catch (e) {
    status.textContent = '';
    showServerErrors(summary, e, (field) => (field === 'opening_hours' ? `${id}-oh` : null));
    return;
  } finally {
    $(`${id}-save`).removeAttribute('aria-busy');
  }
  state.feature = data;
  $(`${id}-oh`).value = data.properties.opening_hours ?? '';
  renderWeek(li, f, data);
  status.textContent = t('runs.saved', { name: nameText(f) });
}
