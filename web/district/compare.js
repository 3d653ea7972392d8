// "Sammenlign med": a select of the districts to compare with (the parent's other children, or
// every district of the same level when there is no parent), a button that shows the choice
// (`?med={id}`, a second column in every table) and one that removes it. Choosing is a form
// submit, not a change of the select, so that arrowing through the options fetches nothing.

import { $ } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, currentLocale } from '../kit/i18n.js';
import { fillSelect } from '../kit/choices.js';
import { page } from './context.js';
import { writeUrl } from './url.js';
import { levelName } from './format.js';
import { loadCompare, dropCompare, setStatus } from './load.js';

const lower = (s) => s.toLocaleLowerCase(document.documentElement.lang || 'nb');

/** The districts to compare with, from the districts collection (their outlines kept for the map). */
export async function loadSiblings() {
  const d = page.profile.district;
  const q = new URLSearchParams({ level: d.level, limit: '10000' });
  if (d.parent) q.set('parent', d.parent.id);
  const r = await fetch(at(`/api/collections/districts/items?${q}`));
  if (!r.ok) throw new Error(`HTTP ${r.status}`);
  const fc = await r.json();
  for (const f of fc.features) page.features.set(String(f.id), f);
  page.siblings = fc.features.filter((f) => String(f.id) !== String(d.id))
    .map((f) => ({ id: String(f.id), name: f.properties?.name ?? String(f.id) }))
    .sort((a, b) => a.name.localeCompare(b.name, currentLocale(), { numeric: true }));
}

/** Fills the select and its hint; the chosen district stays chosen. */
export function fillCompare() {
  const d = page.profile.district;
  const pairs = (page.siblings ?? []).map((s) => [s.id, s.name]);
  const med = page.state.med;
  if (med && !pairs.some(([id]) => id === med)) pairs.push([med, page.compare?.district.name ?? med]);
  fillSelect($('compare-select'), pairs, med ?? '', t('compare.none'));
  const level = lower(levelName(d.level));
  $('compare-hint').textContent = d.parent
    ? t('compare.hint_parent', { parent: d.parent.name ?? d.parent.id, level })
    : t('compare.hint_level', { level });
  $('compare-apply').disabled = !pairs.length;
}

/** The remove button: shown (with the other district's name) while comparing. */
export function showCompareControl() {
  const button = $('compare-remove');
  const other = page.compare?.district;
  button.hidden = !other;
  if (other) button.textContent = t('compare.remove', { name: other.name ?? other.id });
  if ($('compare-select').value !== (page.state.med ?? '')) $('compare-select').value = page.state.med ?? '';
}

/** A problem with the comparison, beside its control (or none). */
export function compareError(message) {
  const error = $('compare-error');
  error.textContent = message ?? '';
  error.hidden = !message;
  const select = $('compare-select');
  if (message) {
    select.setAttribute('aria-invalid', 'true');
    select.setAttribute('aria-describedby', 'compare-error compare-hint');
    setStatus(message);
  } else {
    select.removeAttribute('aria-invalid');
    select.setAttribute('aria-describedby', 'compare-hint');
  }
}

export function wireCompare() {
  $('compare-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = $('compare-select').value;
    if (!value) {
      if (page.state.med) dropCompare();
      else compareError(t('compare.choose'));
      return;
    }
    if (value === page.state.med && page.compare) return;
    page.state.med = value;
    writeUrl(page.state);
    loadCompare();
  });
  $('compare-remove').addEventListener('click', () => {
    dropCompare();
    $('compare-select').focus();
  });
}
