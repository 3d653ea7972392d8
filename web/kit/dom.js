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
