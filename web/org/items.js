// What the activities' and the needs' lists share: loading the chosen organisation's items,
// the list (a card per item, or a line saying there are none), the place as text, and
// buttons whose accessible name says which item they are for.

import { $, h } from '../kit/dom.js';
import { t, tNodes, freeLang, formatPoint } from '../kit/i18n.js';
import { api } from './api.js';
import { currentOrg } from './context.js';

/** The chosen organisation's items of `collection` (activities, volunteer-needs); its paused activities too. */
export async function orgItems(collection) {
  const paused = collection === 'activities' ? '&include_paused=true' : '';
  const { data } = await api('GET', `/api/collections/${collection}/items?org=${currentOrg().id}${paused}&limit=1000`);
  return data.features;
}

/** The list's place when it could not be loaded: what went wrong, and a button to try again. */
export function listFailed(list, text, retry) {
  $(list).replaceChildren(h('p', { className: 'field-error', textContent: text }),
    h('button', { type: 'button', className: 'small', textContent: t('common.retry'), on: { click: retry } }));
}

/** Fills `#{list}` with a card per feature (`card(f)` gives its children), or `empty`. */
export function renderItems(list, features, headingId, empty, card) {
  $(list).replaceChildren(features.length
    ? h('ul', { className: 'items', 'aria-labelledby': headingId }, features.map((f) => h('li', { className: 'item', dataset: { id: String(f.id) } },
      h('h3', {}, nb(f.properties.title), f.properties.paused ? ' ' : null, f.properties.paused ? h('span', { className: 'badge paused', textContent: t('activities.paused') }) : null),
      card(f))))
    : h('p', { className: 'empty', textContent: t(empty) }));
}

/** The organisation's own words (a title, a description): marked Norwegian in another language. */
export const nb = (text) => h('span', { lang: freeLang(), textContent: text ?? '' });

/** `t(key, vars)` with the item's title as Norwegian free text. */
export const withTitle = (key, vars) => tNodes(key, { ...vars, title: nb(vars.title) });

/** "Deichman Tøyen", the facility's kind when it has no name, or the point. */
export function placeText(p) {
  if (p.facility?.name) return nb(p.facility.name);
  if (p.facility) return p.facility[`kind_label_${document.documentElement.lang === 'en' ? 'en' : 'nb'}`];
  if (p.place && 'lon' in p.place) return formatPoint(p.place.lon, p.place.lat);
  return '';
}

/** A button whose accessible name says which item it is for («Endre Fotball»). */
export const itemButton = (key, title, onClick, className = 'small') => h('button', { type: 'button', className, on: onClick ? { click: onClick } : {} },
  t(key), h('span', { className: 'visually-hidden' }, ' ', nb(title)));

/** Label and value pairs as a description list. */
export const facts = (pairs) => h('dl', { className: 'facts' }, pairs.flatMap(([k, v]) => [h('dt', { textContent: t(k) }), h('dd', {}, v ?? '')]));
