// The planners' numbers in words: shares, minutes, percentage points, coordinates, kinds.

import { t, currentLocale, formatNumber } from '../kit/i18n.js';

export const fmtInt = (n) => formatNumber(n);

/** 95,6 %; a share just below 1 never shows as 100 %. */
export function fmtShare(s, digits = 1) {
  if (s == null || !Number.isFinite(s)) return t('table.none');
  const cap = 1 - 10 ** -(digits + 2);
  const v = s < 1 ? Math.min(s, cap) : 1;
  return formatNumber(v, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function fmtMinutes(seconds) {
  if (seconds == null || !Number.isFinite(seconds)) return t('table.none');
  return t('table.minutes_value', { value: formatNumber(seconds / 60, { maximumFractionDigits: 1, minimumFractionDigits: 1 }) });
}

/** Change in percentage points, signed: +3,2 p.p. */
export function fmtPoints(delta) {
  if (delta == null || !Number.isFinite(delta)) return t('table.none');
  const pp = delta * 100;
  const digits = pp !== 0 && Math.abs(pp) < 0.1 ? 2 : 1;
  return t('table.points', {
    value: formatNumber(pp, { signDisplay: 'exceptZero', maximumFractionDigits: digits, minimumFractionDigits: 1 }),
  });
}

export function fmtPoint([lon, lat]) {
  const f = (v) => formatNumber(v, { minimumFractionDigits: 5, maximumFractionDigits: 5 });
  const locale = currentLocale();
  const east = locale.startsWith('nb') || locale.startsWith('nn') ? 'Ø' : 'E';
  return `${f(lat)}° N, ${f(lon)}° ${east}`;
}

export const kindLabel = (kind) => kind.split(',').map((k) => t(`kinds.${k}`)).join(', ');

export function facilityName(f) {
  return f.properties?.name || t('facility.unnamed', { kind: t(`kinds.${f.properties?.kind}`) });
}
