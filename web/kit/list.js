// Long lists as text: parts with a heading to jump to (h3, tabindex -1) and an ordered list
// of rows (or a line saying there are none), and a small nav of links to those parts.

import { h, jumpTo } from './dom.js';

/**
 * `<section class="{className}"><h3 id="{id}">{heading}</h3>{intro}<ol class="result-list">rows</ol></section>`,
 * or `<p class="empty">{emptyText}</p>` instead of the list when there are no rows.
 */
export function listSection(className, id, heading, intro, rows, emptyText) {
  const body = rows.length
    ? h('ol', { className: 'result-list', 'aria-labelledby': id }, rows)
    : h('p', { className: 'empty', textContent: emptyText });
  return h('section', { className }, h('h3', { id, tabIndex: -1, textContent: heading }), intro, body);
}

/** Links to the parts' headings (each section's h3), labelled `label`. */
export function listNav(sections, label) {
  const links = sections.map((section) => section.querySelector('h3')).filter(Boolean).map((heading) => h('li', {},
    h('a', {
      href: `#${heading.id}`, textContent: heading.textContent,
      on: { click: (e) => { e.preventDefault(); jumpTo(heading.id); } },
    })));
  return h('nav', { className: 'list-nav', 'aria-label': label }, h('ul', {}, links));
}
