// The language switch in the site header: a link per language, written in that language,
// the current one marked with aria-current.

import { h } from './dom.js';

/**
 * Fills `#lang-list` (when the page has one). `href(code)`: the page's URL in that language;
 * `onPick(code)`: switch in place instead of following the link (optional).
 */
export function renderLanguageLinks(languages, current, { href, onPick } = {}) {
  const list = document.getElementById('lang-list');
  if (!list) return;
  list.replaceChildren(...Object.entries(languages).map(([code, name]) => h('li', {},
    h('a', {
      href: href?.(code), hreflang: code, lang: code, textContent: name,
      'aria-current': code === current ? 'true' : null,
      on: onPick ? { click: (e) => { e.preventDefault(); onPick(code); } } : {},
    }))));
}

/** Points every language link at `href(code)` (after the state changed). */
export function updateLanguageLinks(href) {
  for (const a of document.querySelectorAll('#lang-list a')) a.href = href(a.hreflang);
}
