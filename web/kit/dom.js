// Small DOM helpers every page uses: find by id, build elements, speak to screen readers,
// copy to the clipboard.

/** The element with this id (or null). */
export const $ = (id) => document.getElementById(id);

/**
 * Builds an element: `h('li', { className: 'result', dataset: { id: '3' }, 'aria-hidden': 'true' }, child, …)`.
 * Keys that are properties of the element (id, className, type, textContent, hidden, href, …)
 * are set as properties, `dataset` and `style` are merged, `on` maps event names to listeners,
 * and the rest (aria-*, role, …) become attributes. Children: nodes, strings, or null (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'dataset' || key === 'style') Object.assign(el[key], value);
    else if (key === 'on') for (const [type, listener] of Object.entries(value)) el.addEventListener(type, listener);
    else if (key in el && !key.includes('-')) el[key] = value;
    else el.setAttribute(key, value);
  }
  el.append(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  return el;
}

/** A decorative mark (a dot, a swatch): `aria-hidden`, with a class and an optional colour. */
export const mark = (className, background) => h('span', {
  className, 'aria-hidden': 'true', style: background ? { background } : undefined,
});

/**
 * Says `text` in the page's polite live region (`#announcer`). It is emptied first, and the
 * text comes a moment later, so that the same message twice is read twice.
 */
export function announce(text, delay = 50) {
  const region = $('announcer');
  if (!region) return;
  region.textContent = '';
  setTimeout(() => { region.textContent = text; }, delay);
}

/** Copies to the clipboard; false when the browser does not allow it. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Moves focus to a heading or region (tabindex=-1) and brings it into view. */
export function jumpTo(id) {
  const target = $(id);
  target?.scrollIntoView({ block: 'start' });
  target?.focus({ preventScroll: true });
}

const FOCUSABLE = 'a[href], button, input, select, textarea, summary, [tabindex]';
/** Attributes that give a re-rendered element the same identity as the one it replaces. */
const KEYS = ['data-id', 'data-activity-id', 'data-need-id', 'data-proposal-id', 'data-nature-id', 'hreflang'];

/**
 * Runs `render` (which may replace the focused element) and puts focus back on the equivalent
 * element: the same id, else the same key attribute (a list row's id, a language link's
 * language), else the same place among the focusable elements of its nearest ancestor with an
 * id. Focus never falls to <body> because a part of the page was drawn again.
 */
export async function keepFocus(render) {
  const el = document.activeElement;
  const find = el && el !== document.body ? locator(el) : null;
  await render();
  if (!find || (el.isConnected && document.activeElement === el)) return;
  if (el.isConnected && el.matches(':not([hidden]):not(:disabled)')) {
    el.focus({ preventScroll: true });
    return;
  }
  find()?.focus({ preventScroll: true });
}

function locator(el) {
  if (el.id) return () => $(el.id);
  const sel = (node) => {
    const key = KEYS.find((k) => node.hasAttribute(k));
    return key ? `${node.localName}[${key}="${CSS.escape(node.getAttribute(key))}"]` : null;
  };
  const own = sel(el);
  let anchor = el.parentElement;
  while (anchor && !anchor.id && !sel(anchor)) anchor = anchor.parentElement;
  if (!anchor) return null;
  const anchorSel = anchor.id ? `#${CSS.escape(anchor.id)}` : sel(anchor);
  const index = [...anchor.querySelectorAll(FOCUSABLE)].indexOf(el);
  return () => {
    const root = document.querySelector(anchorSel);
    if (!root) return null;
    return (own && root.querySelector(own)) || root.querySelectorAll(FOCUSABLE)[index] || root;
  };
}
