// Form controls filled from data: groups of radio buttons or checkboxes (label.choice), and
// the options of a select. Every page's filters and questions are built with these.

import { h } from './dom.js';

/**
 * Fills `container` with `<label class="choice"><input type=… name=… value=…><span>…</span></label>`
 * per item. `items`: `[{ value, label, checked, extra }]` (`extra`: nodes between input and text).
 */
export function fillChoices(container, type, name, items) {
  container.replaceChildren(...items.map(({ value, label, checked, extra, onChange }) => h('label', { className: 'choice' },
    h('input', { type, name, value, checked, on: onChange ? { change: onChange } : {} }),
    extra ?? null,
    h('span', { textContent: label }))));
}

/** The values of the checked inputs under `container`. */
export const checkedValues = (container) => [...container.querySelectorAll('input:checked')].map((i) => i.value);

/**
 * Fills a select: an optional first option (`all`: its label, value ''), then `[value, label]`
 * pairs; selects `value`.
 */
export function fillSelect(select, pairs, value, all) {
  const options = pairs.map(([v, label]) => new Option(label, String(v)));
  select.replaceChildren(...(all ? [new Option(all, '')] : []), ...options);
  select.value = value;
}
