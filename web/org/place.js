// Where an activity or need happens: a facility picked from a list (filtered by typing), or a
// point picked on the map (a click, or the map's centre for keyboard users: arrow keys move the
// map, "use the centre" takes it). The map (kit/map.js) is made when first needed.

import { $, h, announce } from '../kit/dom.js';
import { t, formatPoint, applyStatic } from '../kit/i18n.js';
import { createMap, boundsOf, Marker } from '../kit/map.js';
import { fillChoices } from '../kit/choices.js';
import { api } from './api.js';
import { page } from './context.js';

const pickers = new Map(); // prefix → { point: [lon, lat] | null, marker }

/** The facilities as `[{ id, label, kind }]`, sorted by label; loaded once. */
export async function facilities() {
  if (!page.facilities) {
    const { data } = await api('GET', '/api/collections/facilities/items?limit=10000');
    page.facilitiesGeo = data.features;
    page.facilities = data.features.map((f) => {
      const p = f.properties;
      const kind = p[`kind_label_${document.documentElement.lang === 'en' ? 'en' : 'nb'}`] ?? p.kind;
      const name = p.name ? `${p.name} (${kind})` : `${kind}${p.district ? `, ${p.district}` : ''} #${f.id}`;
      return { id: f.id, label: name };
    }).sort((a, b) => a.label.localeCompare(b.label, 'nb'));
  }
  return page.facilities;
}

/** The label of facility `id`, or null. */
export const facilityLabel = (id) => page.facilities?.find((f) => f.id === id)?.label ?? null;

function fillFacilities(prefix, filter = '') {
  const select = $(`${prefix}-facility`);
  const keep = select.value;
  const words = filter.toLocaleLowerCase().split(/\s+/).filter(Boolean);
  const list = (page.facilities ?? []).filter((f) => words.every((w) => f.label.toLocaleLowerCase().includes(w)));
  select.replaceChildren(new Option(t('place.choose'), ''), ...list.slice(0, 400).map((f) => new Option(f.label, String(f.id))));
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
  $(`${prefix}-facility-count`).textContent = t('place.count', { count: list.length });
}

/** The place fieldset for a form whose ids start with `prefix`; `withMap`: a point may be picked. */
export function placeField(prefix, { withMap = false } = {}) {
  const picker = { point: null, marker: null, map: null };
  pickers.set(prefix, picker);
  const mode = h('div', { className: 'choices', id: `${prefix}-place-mode` });
  const facilityPart = h('div', { id: `${prefix}-facility-part` },
    h('div', { className: 'field' },
      h('label', { htmlFor: `${prefix}-facility-filter`, dataset: { i18n: 'place.filter' } }),
      h('input', { type: 'search', id: `${prefix}-facility-filter`, autocomplete: 'off', 'aria-describedby': `${prefix}-facility-count` }),
      h('p', { id: `${prefix}-facility-count`, className: 'hint', 'aria-live': 'polite' })),
    h('div', { className: 'field' },
      h('label', { htmlFor: `${prefix}-facility`, dataset: { i18n: 'place.facility' } }),
      h('p', { id: `${prefix}-facility-error`, className: 'field-error', hidden: true }),
      h('select', { id: `${prefix}-facility`, name: 'facility' })));
  const pointPart = withMap ? h('div', { id: `${prefix}-point-part`, hidden: true },
    h('p', { className: 'hint', id: `${prefix}-point-hint`, dataset: { i18n: 'place.point_hint' } }),
    h('div', { className: 'map-box' }, h('div', { id: 'map' })),
    h('div', { className: 'buttons' }, h('button', {
      type: 'button', id: `${prefix}-use-center`, dataset: { i18n: 'place.use_center' },
      on: { click: () => { const c = picker.map.getCenter(); setPoint(prefix, [c.lng, c.lat]); } },
    })),
    h('div', { className: 'field' },
      h('label', { htmlFor: `${prefix}-point`, dataset: { i18n: 'place.point' } }),
      h('p', { id: `${prefix}-point-error`, className: 'field-error', hidden: true }),
      h('input', { type: 'text', id: `${prefix}-point`, readOnly: true, 'aria-describedby': `${prefix}-point-hint` }))) : null;
  const fieldset = h('fieldset', { className: 'place' },
    h('legend', { dataset: { i18n: 'place.legend' } }), withMap ? mode : null, facilityPart, pointPart);
  if (withMap) {
    fillChoices(mode, 'radio', `${prefix}-place-kind`, ['facility', 'point'].map((v) => ({
      value: v, label: '', checked: v === 'facility', onChange: () => showMode(prefix, v),
    })));
    mode.querySelectorAll('span').forEach((s, i) => { s.dataset.i18n = `place.mode_${['facility', 'point'][i]}`; });
  }
  fieldset.querySelector(`#${prefix}-facility-filter`).addEventListener('input', (e) => fillFacilities(prefix, e.target.value));
  applyStatic(fieldset);
  return fieldset;
}

function showMode(prefix, mode) {
  $(`${prefix}-facility-part`).hidden = mode !== 'facility';
  const point = $(`${prefix}-point-part`);
  if (!point) return;
  point.hidden = mode !== 'point';
  const radio = document.querySelector(`input[name="${prefix}-place-kind"][value="${mode}"]`);
  if (radio) radio.checked = true;
  if (mode === 'point') ensureMap(prefix);
}

function ensureMap(prefix) {
  const picker = pickers.get(prefix);
  if (picker.map) {
    picker.map.resize();
    return;
  }
  const bounds = boundsOf(page.facilitiesGeo ?? []);
  const contrast = document.body.classList.contains('high-contrast') ? 'high' : null;
  picker.map = createMap({
    contrast, view: {}, ...(picker.point ? { center: picker.point, zoom: 15 } : bounds ? { bounds, fitBoundsOptions: { padding: 20 } } : {}),
  });
  picker.map.on('click', (e) => setPoint(prefix, [e.lngLat.lng, e.lngLat.lat]));
  if (picker.point) setPoint(prefix, picker.point, { quiet: true });
}

function setPoint(prefix, point, { quiet = false } = {}) {
  const picker = pickers.get(prefix);
  picker.point = [Number(point[0].toFixed(6)), Number(point[1].toFixed(6))];
  $(`${prefix}-point`).value = formatPoint(...picker.point);
  if (picker.map) {
    picker.marker ??= new Marker({ color: '#0b4f8a' });
    picker.marker.setLngLat(picker.point).addTo(picker.map);
    picker.marker.getElement().setAttribute('aria-hidden', 'true');
  }
  if (!quiet) announce(t('place.point_set', { point: formatPoint(...picker.point) }));
}

/** Fills the place fields from an item's `place`. */
export async function setPlace(prefix, place) {
  await facilities();
  $(`${prefix}-facility-filter`).value = '';
  fillFacilities(prefix);
  const picker = pickers.get(prefix);
  if (place && 'lon' in place && $(`${prefix}-point`)) {
    picker.point = [place.lon, place.lat];
    $(`${prefix}-point`).value = formatPoint(place.lon, place.lat);
    picker.map?.jumpTo({ center: picker.point });
    showMode(prefix, 'point');
    setPoint(prefix, picker.point, { quiet: true });
  } else {
    picker.point = null;
    if ($(`${prefix}-point`)) $(`${prefix}-point`).value = '';
    picker.marker?.remove();
    $(`${prefix}-facility`).value = place?.facility_id ? String(place.facility_id) : '';
    showMode(prefix, 'facility');
  }
}

/** The chosen place: `{ facility_id }` or `{ lon, lat }`, or null when none is chosen. */
export function readPlace(prefix) {
  const pointMode = document.querySelector(`input[name="${prefix}-place-kind"][value="point"]`)?.checked;
  if (pointMode) {
    const p = pickers.get(prefix).point;
    return p ? { lon: p[0], lat: p[1] } : null;
  }
  const v = $(`${prefix}-facility`).value;
  return v ? { facility_id: Number(v) } : null;
}

/** The input that shows a place error. */
export const placeInput = (prefix) => (document.querySelector(`input[name="${prefix}-place-kind"][value="point"]`)?.checked
  ? `${prefix}-point` : `${prefix}-facility`);
