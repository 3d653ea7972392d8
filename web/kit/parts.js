// HTML parts that several pages share (the site header and footer, the residents' search and
// filters, …). A page marks the place with `<div data-part="/static/…/name.html"></div>`; the
// part's markup replaces that element. A `<slot></slot>` in the part takes the placeholder's
// own children (a page's extra links in the header, say). Call `includeParts()` before
// anything looks for the parts' elements, and before the strings are applied. The server puts
// them in before it sends a page (src/http/web.rs), so this finds nothing left to do there; a
// `data-part` is an app path (kit/base.js adds the prefix).

import { at } from './base.js';

export async function includeParts(root = document) {
  const places = [...root.querySelectorAll('[data-part]')];
  const texts = await Promise.all(places.map(async (el) => {
    const r = await fetch(at(el.dataset.part));
    if (!r.ok) throw new Error(`part ${el.dataset.part}: HTTP ${r.status}`);
    return r.text();
  }));
  places.forEach((el, i) => {
    const template = document.createElement('template');
    template.innerHTML = texts[i];
    const slot = template.content.querySelector('slot');
    slot?.replaceWith(...el.childNodes);
    el.replaceWith(template.content);
  });
  // Parts may hold parts.
  if (root.querySelector('[data-part]')) await includeParts(root);
}
