// A feature's property values as readable HTML: text, numbers as the API writes them, yes and
// no, «ingen verdi» for null, web addresses and email addresses as links, lists as lists and
// objects as name–value lists inside the cell (as deep as they go).

import { h } from '../kit/dom.js';
import { t, freeLang } from '../kit/i18n.js';

/** Property names whose text is written by people (Bokmål unless the page is in it). */
const FREE_TEXT = new Set(['name', 'title', 'description', 'label', 'forest_name', 'skills', 'time_commitment']);

const WEB = /^https?:\/\/[^\s<>"]+$/i;
const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[a-z]{2,}$/i;

/** A title or description in the API's own language (`lang`), with a `lang` attribute when the page is in another one. */
export const freeText = (text, lang = 'nb', tag = 'span') => h(tag, { lang: freeLang(lang) }, text);

/** A node for one value; `key` is the property's name (free text gets its language). */
export function valueNode(value, key = '') {
  if (value === null || value === undefined) return h('span', { className: 'no-value' }, t('value.none'));
  if (typeof value === 'boolean') return h('span', {}, t(value ? 'value.true' : 'value.false'));
  if (typeof value === 'number') return h('span', { className: 'num' }, String(value));
  if (typeof value === 'string') {
    if (WEB.test(value)) return h('a', { href: value, className: 'long' }, value);
    if (EMAIL.test(value)) return h('a', { href: `mailto:${value}`, className: 'long' }, value);
    return FREE_TEXT.has(key) ? freeText(value) : h('span', { className: 'long' }, value);
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return h('span', { className: 'no-value' }, t('value.empty_list'));
    const scalar = value.every((v) => v === null || typeof v !== 'object');
    return h(scalar ? 'ul' : 'ol', { className: scalar ? 'value-list inline' : 'value-list' },
      value.map((v) => h('li', {}, valueNode(v, key))));
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return h('span', { className: 'no-value' }, t('value.empty_object'));
  return h('dl', { className: 'value-object' }, entries.flatMap(([k, v]) => [
    h('dt', {}, h('code', {}, k)),
    h('dd', {}, valueNode(v, k)),
  ]));
}
