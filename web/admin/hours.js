// «Åpningstider og tjenester» (issue 18), for staff admins: find a facility by name (the kit's
// combobox over /api/collections/facilities/items?q=), see its hours for the next seven days
// (kit/week.js) and its hours as OpenStreetMap writes them in a text field (a hint with an
// example and a link to the syntax), and for a knutepunkt its services as rows (service from the
// fixed list, own name, hours, contact; add and remove), and «Drives av»: the organisation that
// runs it (`operator_org`; its members then keep the hours on /org). «Lagre» sends what changed
// as PATCH /api/collections/facilities/items/{id} ({opening_hours}, {services}, {operator_org});
// the 422's field errors (`opening_hours`, `services`, `services/0/opening_hours`,
// `operator_org`) stand beside their fields and in the focused error summary, in the page's
// words; a success is announced and the new week shown.

import { $, h } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, tNodes, currentLanguage, applyStatic } from '../kit/i18n.js';
import { Combobox } from '../kit/combobox.js';
import { weekTable } from '../kit/week.js';
import { api, ApiError } from '../org/api.js';
import { inputField, selectField, formButtons, fillForm } from '../org/fields.js';
import { admin, orgName, sortedOrgs } from './context.js';
import { busy, showProblem, showFieldErrors, showClientErrors, clearFieldErrors, say, freeText, rowButton } from './ui.js';

/** The services of a knutepunkt (src/domain/hub.rs), in the server's order. */
export const HUB_SERVICES = ['citizen_service', 'library', 'health_station', 'meeting_rooms', 'cafe', 'volunteer_centre', 'nav', 'youth_club', 'other'];
/** The longest hours text the server takes, in bytes (UTF-8). */
const MAX_HOURS_BYTES = 255;
const SYNTAX = 'https://wiki.openstreetmap.org/wiki/Key:opening_hours';

/** The facility shown (a GeoJSON Feature as the API serves it), or null. */
let facility = null;
/** Its services' rows: `{ key, service, name, opening_hours, contact }` (key: the ids' number). */
let rows = [];
let rowSeq = 0;
/** Names of facilities seen, by id (the audit log names them). */
export const facilityNames = new Map();

const bytes = (s) => new TextEncoder().encode(s).length;
const isHub = (f) => f?.properties?.kind === 'community_centre';
const kindOf = (p) => p[`kind_label_${currentLanguage() === 'en' ? 'en' : 'nb'}`] ?? p.kind;
/** A facility's name, or its kind and number when it has none. */
export const facilityLabel = (f) => f.properties.name || t('hours.unnamed', { kind: kindOf(f.properties), id: f.id });
/** A service's label in the page's language. */
export const serviceLabel = (id) => t(`hours.services_list.${id}`);

export function buildHours() {
  new Combobox({
    input: $('hours-search'),
    listbox: $('hours-options'),
    message: $('hours-search-message'),
    announce: say,
    t: (key, vars) => t(key.replace(/^search\./, 'hours.search_'), vars),
    search: async (text, signal) => {
      const q = new URLSearchParams({ q: text, limit: '10' });
      const r = await fetch(at(`/api/collections/facilities/items?${q}`), { signal });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const body = await r.json();
      return body.features.map((f) => {
        facilityNames.set(f.id, facilityLabel(f));
        return { label: facilityLabel(f), value: f.id, detail: [kindOf(f.properties), f.properties.district].filter(Boolean).join(' · ') };
      });
    },
    onSelect: (o) => open(o.value),
  });

  const hint = h('p', { id: 'hours-oh-hint', className: 'hint' });
  fillForm($('hours-form'),
    inputField({ id: 'hours-oh', name: 'opening_hours', label: 'hours.opening_hours', hint: 'hours.opening_hours_hint', required: false, autocomplete: 'off' }),
    h('fieldset', { id: 'hours-services', className: 'hours-services', hidden: true },
      h('legend', { dataset: { i18n: 'hours.services' } }),
      h('p', { id: 'hours-services-hint', className: 'hint', dataset: { i18n: 'hours.services_hint' } }),
      h('ol', { id: 'hours-service-rows', className: 'service-rows' }),
      h('div', { className: 'buttons' }, h('button', { type: 'button', id: 'hours-service-add', dataset: { i18n: 'hours.add_service' } }))),
    selectField({ id: 'hours-operator', name: 'operator_org', label: 'hours.operator', hint: 'hours.operator_hint' }),
    formButtons(h('button', { type: 'submit', id: 'hours-save', className: 'primary', dataset: { i18n: 'hours.save' } })));
  // The hint: the syntax by example, and where it is described.
  $('hours-oh-hint').replaceWith(hint);
  hint.append(...tNodes('hours.opening_hours_hint', {
    example: h('code', { className: 'opening-hours', translate: false, textContent: 'Mo-Fr 08:00-16:00; Sa 10:00-14:00; PH off' }),
  }), ' ', h('a', { href: SYNTAX, hreflang: 'en', textContent: t('hours.syntax_link') }));
  $('hours-oh').spellcheck = false;
  $('hours-service-add').addEventListener('click', addRow);
  $('hours-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('hours-save'), save); });
  // «Drives av» follows the organisations' list (the choice kept).
  admin.listeners.push((what) => { if (what === 'orgs' && facility) fillOperators($('hours-operator').value); });
}

/** «Drives av»: «Ingen», the active organisations, and the one chosen (`value`, an id) even when deactivated. */
function fillOperators(value) {
  const chosen = value === '' || value == null ? null : Number(value);
  const list = sortedOrgs().filter((o) => o.active !== false || o.id === chosen);
  const options = list.map((o) => new Option(o.name, String(o.id)));
  if (chosen != null && !list.some((o) => o.id === chosen)) options.push(new Option(orgName(chosen), String(chosen)));
  $('hours-operator').replaceChildren(new Option(t('hours.operator_none'), ''), ...options);
  $('hours-operator').value = chosen == null ? '' : String(chosen);
}

/** Shows facility `id` (asked for anew). */
async function open(id) {
  showProblem('hours-problem', null);
  let data;
  try {
    ({ data } = await api('GET', `/api/collections/facilities/items/${encodeURIComponent(id)}`));
  } catch (e) {
    showProblem('hours-problem', e);
    return;
  }
  show(data);
  $('hours-facility-heading').focus();
}

/** Draws the facility `f`: heading, its week, the form filled from it. */
function show(f) {
  facility = f;
  facilityNames.set(f.id, facilityLabel(f));
  const p = f.properties;
  $('hours-facility').hidden = false;
  $('hours-facility-heading').replaceChildren(p.name ? freeText('span', p.name) : facilityLabel(f));
  $('hours-facility-meta').textContent = [kindOf(p), p.address, p.district].filter(Boolean).join(' · ');
  renderWeek();
  clearFieldErrors($('hours-form'), $('hours-errors'));
  $('hours-oh').value = p.opening_hours ?? '';
  rows = isHub(f) ? (p.services ?? []).map((s) => ({
    key: ++rowSeq, service: s.service, name: s.name ?? '', opening_hours: s.opening_hours ?? '', contact: s.contact ?? '',
  })) : [];
  $('hours-services').hidden = !isHub(f);
  renderRows();
  fillOperators(p.operator_org);
}

/** The facility's hours as shown to residents: the week, or the text that could not be read, or none. */
function renderWeek() {
  const p = facility.properties;
  const table = weekTable(p.opening_hours_week, { label: facilityLabel(facility), id: 'hours-week-table' });
  let shown;
  if (table) shown = table;
  else if (p.opening_hours) {
    shown = h('p', { className: 'hint' }, t('hours.unreadable'), ' ',
      h('code', { className: 'opening-hours', translate: false, textContent: p.opening_hours }));
  } else shown = h('p', { className: 'empty', textContent: t('hours.none') });
  $('hours-week').replaceChildren(shown);
}

const rowId = (r, part) => `hours-svc-${r.key}-${part}`;

/** Reads the rows' fields back into `rows` (before they are drawn again or sent). */
function readRows() {
  for (const r of rows) {
    for (const part of ['service', 'name', 'opening_hours', 'contact']) {
      const el = $(rowId(r, part));
      if (el) r[part] = el.value;
    }
  }
}

function renderRows() {
  const list = $('hours-service-rows');
  list.replaceChildren(...rows.map((r, i) => {
    const n = i + 1;
    const li = h('li', { className: 'service-row', dataset: { key: String(r.key) } },
      h('fieldset', {},
        h('legend', { textContent: t('hours.service_n', { n }) }),
        selectField({ id: rowId(r, 'service'), name: 'service', label: 'hours.service' }),
        inputField({ id: rowId(r, 'name'), name: 'name', label: 'hours.service_name', required: false, autocomplete: 'off' }),
        inputField({ id: rowId(r, 'opening_hours'), name: 'opening_hours', label: 'hours.service_hours', hint: 'hours.service_hours_hint', required: false, autocomplete: 'off' }),
        inputField({ id: rowId(r, 'contact'), name: 'contact', label: 'hours.service_contact', hint: 'hours.service_contact_hint', required: false, autocomplete: 'off' }),
        h('div', { className: 'buttons' },
          rowButton({ key: `hours-svc-remove-${r.key}`, text: t('hours.remove_service'), about: t('hours.service_n', { n }), onClick: () => removeRow(r) }))));
    applyStatic(li);
    const select = li.querySelector('select');
    select.replaceChildren(...HUB_SERVICES.map((s) => new Option(serviceLabel(s), s)));
    select.value = HUB_SERVICES.includes(r.service) ? r.service : 'other';
    for (const part of ['name', 'opening_hours', 'contact']) li.querySelector(`#${rowId(r, part)}`).value = r[part] ?? '';
    li.querySelector(`#${rowId(r, 'opening_hours')}`).spellcheck = false;
    return li;
  }));
  if (!rows.length) list.append(h('li', { className: 'empty', textContent: t('hours.no_services') }));
}

function addRow() {
  readRows();
  const r = { key: ++rowSeq, service: 'other', name: '', opening_hours: '', contact: '' };
  rows.push(r);
  renderRows();
  $(rowId(r, 'service')).focus();
  say(t('hours.service_added', { n: rows.length }));
}

function removeRow(r) {
  readRows();
  const i = rows.indexOf(r);
  rows.splice(i, 1);
  renderRows();
  // Focus: the row that took its place, else the one before, else «Legg til».
  const next = rows[i] ?? rows[i - 1];
  (next ? $(rowId(next, 'service')) : $('hours-service-add')).focus();
  say(t('hours.service_removed', { n: i + 1 }));
}

/** The services as the server takes them (empty fields left out). */
function servicesBody() {
  return rows.map((r) => {
    const s = { service: r.service };
    for (const part of ['name', 'opening_hours', 'contact']) if (r[part].trim()) s[part] = r[part].trim();
    return s;
  });
}

/** The services as served, in the same shape (to see whether they changed). */
const servedServices = () => (facility.properties.services ?? []).map((s) => {
  const o = { service: s.service };
  for (const part of ['name', 'opening_hours', 'contact']) if (s[part]) o[part] = s[part];
  return o;
});

/** The input for a server field name: `opening_hours`, `services`, `services/0/opening_hours`. */
function fieldId(field) {
  if (field === 'opening_hours') return 'hours-oh';
  if (field === 'operator_org') return 'hours-operator';
  const m = /^services\/(\d+)\/(service|name|opening_hours|contact)$/.exec(field ?? '');
  if (m && rows[+m[1]]) return rowId(rows[+m[1]], m[2]);
  if (field === 'services' && rows.length) return rowId(rows[0], 'service');
  return null;
}

/** The page's words for a field error (by the field and what the server says of it). */
function wordsFor(errors) {
  const words = {};
  for (const { field, reason } of errors) {
    if (/at most \d+/.test(reason ?? '')) words[field] = 'errors.opening_hours_long';
    else if (/^services\/\d+\/opening_hours$/.test(field)) words[field] = 'errors.service_hours';
  }
  return words;
}

async function save() {
  const summary = $('hours-errors');
  clearFieldErrors($('hours-form'), summary);
  if (!facility) return;
  readRows();
  const body = {};
  const hours = $('hours-oh').value.trim();
  if (hours !== (facility.properties.opening_hours ?? '')) body.opening_hours = hours || null;
  if (isHub(facility)) {
    const services = servicesBody();
    if (JSON.stringify(services) !== JSON.stringify(servedServices())) body.services = services;
  }
  const operator = $('hours-operator').value === '' ? null : Number($('hours-operator').value);
  if (operator !== (facility.properties.operator_org ?? null)) body.operator_org = operator;
  // Too long for the server (it counts bytes: æ, ø and å are two).
  const long = [['hours-oh', hours], ...rows.map((r) => [rowId(r, 'opening_hours'), r.opening_hours.trim()])]
    .filter(([, v]) => bytes(v) > MAX_HOURS_BYTES).map(([field]) => ({ field, text: t('errors.opening_hours_long') }));
  if (long.length) {
    showClientErrors(summary, long);
    return;
  }
  if (!Object.keys(body).length) {
    say(t('hours.unchanged'));
    return;
  }
  let data;
  // The server builds its data anew before it answers: that can take some seconds.
  $('hours-status').textContent = t('hours.saving');
  try {
    ({ data } = await api('PATCH', `/api/collections/facilities/items/${facility.id}`, { body }));
  } catch (e) {
    $('hours-status').textContent = '';
    showFieldErrors(summary, e, fieldId, {}, wordsFor(e instanceof ApiError ? e.errors : []));
    return;
  }
  $('hours-status').textContent = '';
  show(data);
  // Enter in a service's field: that row was drawn again; focus goes to «Lagre».
  if (!document.activeElement || document.activeElement === document.body) $('hours-save').focus();
  say(t('hours.saved', { name: facilityLabel(data) }));
}
