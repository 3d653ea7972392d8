// «Fordeling av gangtid» under the table: how far the homes are from the nearest of what the
// question asks about, in the bands of /api/coverage's `distribution` (0–2, 2–5, 5–10, 10–15,
// 15–20, 20–30, 30–45, 45–60 minutes, and 60 or more or not reached), for every question. A
// table (band as row header; homes, their share with a bar beside it, residents where known),
// the bars only decoration: the numbers are text. In a scenario of the whole area the homes
// after it stand beside them.

import { $, h } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { page } from './context.js';
import { fmtInt, fmtShare } from './format.js';
import { questionLabel } from './nature.js';
import { parentName } from './levels.js';

/** «0–2 min», «60 min eller mer, eller ikke nådd». */
const bandLabel = (b) => (b.to_min == null ? t('distribution.last', { from: b.from_min })
  : t('distribution.band', { from: b.from_min, to: b.to_min }));

function numberCell(key, value, { share = null, bar = null } = {}) {
  // A share above nought that would round to «0 %» says «under 0,1 %».
  const text = value == null ? t('table.none') : share && value > 0 && value < 0.0005 ? t('distribution.tiny', { share: fmtShare(0.001) })
    : share ? fmtShare(value) : fmtInt(value);
  return h('td', { className: 'num', dataset: value == null ? { key } : { key, value: String(value) } },
    bar == null ? null : h('span', { className: 'dist-bar', 'aria-hidden': 'true' },
      h('span', { className: `dist-fill ${bar.cls}`, style: { width: `${Math.max(0, Math.min(1, bar.value)) * 100}%` } })),
    h('span', { textContent: text }));
}

export function renderDistribution() {
  const { coverage, scenario, state } = page;
  const section = $('distribution');
  const bands = coverage?.distribution;
  section.hidden = !Array.isArray(bands) || !bands.length;
  if (section.hidden) return;
  // After a scenario: its bands for the whole area (the scenario API has no parent).
  const after = scenario && !coverage.parent_id && Array.isArray(scenario.after?.distribution) ? scenario.after.distribution : null;
  const total = bands.reduce((s, b) => s + b.addresses, 0);
  const totalAfter = after ? after.reduce((s, b) => s + b.addresses, 0) : 0;
  const residents = !after && bands.some((b) => b.residents != null);
  $('distribution-caption').textContent = t(coverage.parent_id ? 'distribution.caption_in' : 'distribution.caption', {
    what: questionLabel(), profile: t(`profile_short.${state.profile}`), parent: parentName(),
  });
  const cols = [['band', 'distribution.col_band'], ['addresses', after ? 'distribution.col_before' : 'distribution.col_addresses'],
    ['share', after ? 'distribution.col_share_before' : 'distribution.col_share']];
  if (residents) cols.push(['residents', 'distribution.col_residents']);
  if (after) cols.push(['addresses_after', 'distribution.col_after'], ['share_after', 'distribution.col_share_after']);
  $('distribution-head').replaceChildren(h('tr', {}, cols.map(([key, label]) => h('th', {
    scope: 'col', className: key === 'band' ? null : 'num', dataset: { key }, textContent: t(label),
  }))));
  const share = (n, of) => (of > 0 ? n / of : null);
  $('distribution-body').replaceChildren(...bands.map((b, i) => {
    const a = after?.[i];
    return h('tr', { dataset: { from: String(b.from_min), to: b.to_min == null ? '' : String(b.to_min) } },
      h('th', { scope: 'row', dataset: { key: 'band' }, textContent: bandLabel(b) }),
      numberCell('addresses', b.addresses),
      numberCell('share', share(b.addresses, total), { share: true, bar: { cls: after ? 'before' : 'now', value: share(b.addresses, total) ?? 0 } }),
      residents ? numberCell('residents', b.residents) : null,
      a ? numberCell('addresses_after', a.addresses) : null,
      a ? numberCell('share_after', share(a.addresses, totalAfter), { share: true, bar: { cls: 'after', value: share(a.addresses, totalAfter) ?? 0 } }) : null);
  }));
  const sum = (key) => (bands.some((b) => b[key] == null) ? null : bands.reduce((s, b) => s + (b[key] ?? 0), 0));
  $('distribution-foot').replaceChildren(h('tr', {},
    h('th', { scope: 'row', dataset: { key: 'band' }, textContent: t('distribution.total') }),
    numberCell('addresses', total),
    numberCell('share', total > 0 ? 1 : null, { share: true }),
    residents ? numberCell('residents', sum('residents')) : null,
    after ? numberCell('addresses_after', totalAfter) : null,
    after ? numberCell('share_after', totalAfter > 0 ? 1 : null, { share: true }) : null));
}
