// High contrast: `contrast=high` in the URL, or the system's "more contrast" when the URL does
// not say. The switch is a toggle button (aria-pressed); the page's colours follow
// `body.high-contrast` (base.css), the map switches to the high-contrast basemap.

import { $ } from './dom.js';

/** 'high' or null: the URL's choice, else the system's preference. */
export function initialContrast(fromUrl) {
  if (fromUrl || new URLSearchParams(location.search).has('contrast')) return fromUrl;
  return matchMedia('(prefers-contrast: more)').matches ? 'high' : null;
}

/** Shows `contrast` on the page: the body's class and the switch's pressed state. */
export function showContrast(contrast, button = $('contrast')) {
  document.body.classList.toggle('high-contrast', contrast === 'high');
  button?.setAttribute('aria-pressed', String(contrast === 'high'));
}

/** Wires the switch: `onChange(next)` with 'high' or null, after the page shows it. */
export function wireContrast(getContrast, onChange, button = $('contrast')) {
  button.addEventListener('click', () => {
    const next = getContrast() === 'high' ? null : 'high';
    showContrast(next, button);
    onChange(next);
  });
}
