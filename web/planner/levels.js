// District levels in words, and where the page is among them. The server serves districts as a
// hierarchy of levels, coarsest first (kommune ⊃ kommunedel or bydel ⊃ delomrade ⊃ grunnkrets,
// or postcode areas made from the addresses); /api/coverage says which it has (`levels`), which
// one it answered at (`level`) and inside which district (`parent_id`). `page.chain` holds that
// parent and its own parents (district features, coarsest first) for the breadcrumb.

import { t, has } from '../kit/i18n.js';
import { page } from './context.js';

/** «Bydel», "City district"; a level the page does not know by its raw name. */
export const levelName = (level) => (has(`levels.name.${level}`) ? t(`levels.name.${level}`) : String(level ?? ''));

/** «Alle bydeler», "All city districts". */
export const levelAll = (level) => (has(`levels.all.${level}`) ? t(`levels.all.${level}`)
  : t('levels.all_other', { level: levelName(level) }));

/** The levels the server has, coarsest first: `[{ level, districts, derived }]`. */
export const levels = () => page.coverage?.levels ?? [];

/** Where a level stands (0 = the coarsest), or -1. */
export const rank = (level) => levels().findIndex((l) => l.level === level);

/** True when the shown level has a finer one below it: its districts can be opened. */
export function canDrill() {
  const i = rank(page.coverage?.level);
  return i >= 0 && i < levels().length - 1;
}

/** The district the page shows the inside of (a feature), or null. */
export const parentFeature = () => page.chain.at(-1) ?? null;
export const parentName = () => parentFeature()?.properties?.name ?? parentFeature()?.id ?? '';

/** The level of the view above all drill-downs (the parents' coarsest), or the shown one. */
export const rootLevel = () => page.chain[0]?.properties?.level ?? page.coverage?.level ?? null;

/** «Postnummer i Frogner», "Postcode area": what the table and the map show. */
export function viewLabel() {
  const level = levelName(page.coverage?.level);
  return page.chain.length ? t('view.label_in', { level, parent: parentName() }) : level;
}

/** What is said when the level or the drill-down changes. */
export function viewMessage() {
  const c = page.coverage;
  if (!c) return '';
  const count = c.districts.filter((d) => d.district_id != null).length;
  const level = levelName(c.level);
  return page.chain.length ? t('view.announce_in', { count, level, parent: parentName() })
    : t('view.announce', { count, level });
}
