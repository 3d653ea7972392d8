// The profile's numbers in words: residents (withheld, unknown, our own sum), shares in tenths
// of a percent, differences in percentage points (from the shown, rounded shares, so that the
// numbers on the page add up), level names, and the API's labels in the page's language.

import { t, has, formatNumber, currentLanguage } from '../kit/i18n.js';

export const fmtInt = (n) => formatNumber(n);

/**
 * A share (0..1) in tenths of a percent, as shown: 98.2 for 0.98185. A share just below 1
 * never shows as 100, one just above 0 never as 0. Null stays null (no addresses).
 */
export function shareTenths(s) {
  if (s == null || !Number.isFinite(s)) return null;
  const v = Math.round(s * 1000);
  if (v >= 1000 && s < 1) return 999;
  if (v <= 0 && s > 0) return 1;
  return v;
}

/** «98,2 %», "98.2%", or «–» without addresses. */
export function fmtShare(s) {
  const v = shareTenths(s);
  if (v == null) return t('common.none');
  return t('format.percent', { value: formatNumber(v / 10, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
}

/** The difference of two shares in percentage points, from the shown values: 2.6, −12, or null. */
export function pointsBetween(a, b) {
  const x = shareTenths(a);
  const y = shareTenths(b);
  return x == null || y == null ? null : (x - y) / 10;
}

/** «+2,6», «−12,0», «0,0». */
export const fmtSigned = (pp) => formatNumber(pp, {
  signDisplay: 'exceptZero', minimumFractionDigits: 1, maximumFractionDigits: 1,
});

/** Facilities per 1,000 residents: «1,25». */
export const fmtPer1000 = (v) => (v == null ? t('common.none') : formatNumber(v, { maximumFractionDigits: 2 }));

/** «1,55 km²». */
export const fmtArea = (km2) => (km2 == null ? t('common.none')
  : t('figures.area_value', { value: formatNumber(km2, { maximumFractionDigits: 2 }) }));

/**
 * Residents as the page says them: `{ text, note }`. Withheld: «færre enn 10»; unknown:
 * «ikke kjent»; our own sum of the parts is marked.
 */
export function residents(d) {
  if (d.suppressed) return { text: t('figures.suppressed'), kind: 'suppressed' };
  if (d.population == null) return { text: t('figures.unknown'), kind: 'unknown' };
  return { text: fmtInt(d.population), kind: d.population_sum ? 'own_sum' : 'known' };
}

/** «Bydel», "City district"; a level the page does not know by its own name. */
export const levelName = (level) => (has(`levels.${level}`) ? t(`levels.${level}`) : String(level ?? ''));

/** «Frogner, bydel». */
export const headingOf = (d) => t('page.heading', {
  name: d.name ?? d.id, level: levelName(d.level).toLocaleLowerCase(document.documentElement.lang || 'nb'),
});

/** The API's label in the page's language (`kind_label_nb`, `kind_label_en`): Bokmål for
 * Nynorsk, English for the others it has none for. */
export function apiLabel(row, field) {
  const lang = currentLanguage();
  const fallback = lang === 'nn' ? 'nb' : 'en';
  return row[`${field}_label_${lang}`] ?? row[`${field}_label_${fallback}`] ?? row[field];
}

/** What the district is compared with: the kommune, or the whole area served. */
export function referenceName(reference, { inSentence = false } = {}) {
  if (reference?.id != null && reference.name) return reference.name;
  return t(inSentence ? 'reference.area_served_text' : 'reference.area_served');
}
