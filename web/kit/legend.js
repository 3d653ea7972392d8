// Map legends as text: a list item per entry, a decorative mark (a swatch, a dot, a ring)
// and the words that say what it means. Colour is never the only cue.

import { h, mark } from './dom.js';

/** `<li><span class="{markClass}" aria-hidden="true"></span>{text}</li>`, the mark in `colour`. */
export const legendItem = (markClass, text, colour) => h('li', {}, mark(markClass, colour), document.createTextNode(text));

/** Replaces a legend list's entries; hides it when there are none. Returns whether it shows. */
export function fillLegend(list, items) {
  list.replaceChildren(...items);
  list.hidden = !items.length;
  return !list.hidden;
}
