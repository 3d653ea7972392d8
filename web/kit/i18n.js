// Strings and formats, for every page. A page's strings live in one folder, one file per
// language ({dir}/{lang}.json) and a languages.json that names them; the residents' pages use
// /static/i18n, the planners' page /static/i18n/planner. A language is added by dropping in its
// file (nn.json) and naming it in languages.json. The folders are app paths: kit/base.js adds the
// prefix when the service lives under a path.
//
// Shared strings: the kit's own sections (`problems`, kit/problems.js; `opening_week`,
// kit/week.js) live once, in
// /static/i18n/{lang}.json; a page with its own folder gets them from there too.
// Page-wide values: `{example_address}` (and any `{name}` of a `<meta name="naermiljo-name">`
// tag the server puts in every page's head) is filled in every string without being passed.

import { at } from './base.js';

const DEFAULT_LANG = 'nb';
let strings = {};
let lang = DEFAULT_LANG;
let locale = 'nb-NO';
let languages = { nb: 'Norsk (bokmål)' };
let dir = '/static/i18n';
let onlyListed = false;
let missing = 'missing string';
let shared = {};

const SHARED_DIR = '/static/i18n';
const SHARED_SECTIONS = ['problems', 'opening_week'];

/**
 * The languages offered: `{ code: name in that language }`, from `{dir}/languages.json`.
 * `onlyListed`: a language not in that list is never asked for (Bokmål instead).
 */
export async function loadLanguages(options = {}) {
  ({ dir = dir, onlyListed = onlyListed, missing = missing } = options);
  if (options.fallback) languages = options.fallback;
  try {
    const r = await fetch(at(`${dir}/languages.json`));
    if (r.ok) languages = await r.json();
  } catch {
    // keep the default: Bokmål only
  }
  return languages;
}

export function availableLanguages() {
  return languages;
}

/**
 * Loads a language file; falls back to Bokmål when there is none. A file dropped in without
 * an entry in languages.json still works by URL (?lang=nn) and then appears in the switch.
 */
export async function setLanguage(code) {
  const known = onlyListed ? Object.hasOwn(languages, code ?? '') : /^[a-z]{2,3}$/.test(code ?? '');
  const wanted = known ? code : DEFAULT_LANG;
  const own = dir === SHARED_DIR ? null : sharedStrings(wanted);
  let r = await fetch(at(`${dir}/${wanted}.json`));
  if (!r.ok && wanted !== DEFAULT_LANG) r = await fetch(at(`${dir}/${DEFAULT_LANG}.json`));
  if (!r.ok) throw new Error(`language file ${wanted}.json: HTTP ${r.status}`);
  strings = await r.json();
  shared = (await own) ?? {};
  lang = strings._meta?.code ?? wanted;
  if (!Object.hasOwn(languages, lang)) languages = { ...languages, [lang]: strings._meta?.name ?? lang };
  locale = strings._meta?.locale ?? 'nb-NO';
  document.documentElement.lang = strings._meta?.html_lang ?? lang;
  return lang;
}

/** The shared sections of /static/i18n/{code}.json (Bokmål's when there is no such file); none when it fails. */
async function sharedStrings(code) {
  try {
    let r = await fetch(at(`${SHARED_DIR}/${code}.json`));
    if (!r.ok && code !== DEFAULT_LANG) r = await fetch(at(`${SHARED_DIR}/${DEFAULT_LANG}.json`));
    if (!r.ok) return {};
    const all = await r.json();
    return Object.fromEntries(SHARED_SECTIONS.filter((k) => Object.hasOwn(all, k)).map((k) => [k, all[k]]));
  } catch {
    return {};
  }
}

export const currentLanguage = () => lang;

/**
 * The `lang` attribute of free text from the API (titles, descriptions, names, residents'
 * words): `own` (Bokmål unless the item says otherwise), or null when the page is in it.
 */
export const freeLang = (own = 'nb') => (own === lang || own === document.documentElement.lang ? null : own);

/**
 * `t(key, vars)` as nodes: a value that is a Node (a span with its own `lang`) stays a node
 * between the string's text parts.
 */
export function tNodes(key, vars = {}) {
  const nodes = new Map();
  const plain = {};
  for (const [name, value] of Object.entries(vars)) {
    if (value instanceof Node) {
      const marker = `\u0001${nodes.size}\u0001`;
      nodes.set(marker, value);
      plain[name] = marker;
    } else plain[name] = value;
  }
  return t(key, plain).split(/(\u0001\d+\u0001)/).filter(Boolean).map((part) => nodes.get(part) ?? part);
}
export const currentLocale = () => locale;
export const defaultLanguage = DEFAULT_LANG;

function lookupIn(root, key) {
  let v = root;
  for (const part of key.split('.')) {
    if (v == null || typeof v !== 'object') return undefined;
    v = v[part];
  }
  return v;
}

/** The page's own string for `key`, else the shared one. */
const lookup = (key) => lookupIn(strings, key) ?? lookupIn(shared, key);

let pageValues = null;

/**
 * Page-wide placeholder values, read once from the server's `<meta name="naermiljo-NAME">`
 * tags: `naermiljo-example-address` fills `{example_address}` (a real address of the data).
 */
function pageValue(name) {
  if (!pageValues) {
    pageValues = {};
    const metas = typeof document === 'undefined' ? [] : document.querySelectorAll('meta[name^="naermiljo-"]');
    for (const m of metas) pageValues[m.name.slice('naermiljo-'.length).replaceAll('-', '_')] = m.content;
  }
  return Object.hasOwn(pageValues, name) ? pageValues[name] : undefined;
}

/**
 * The string for `key`, with `{name}` placeholders filled from `vars`, else from the page-wide
 * values (`{example_address}`, see `pageValue`). A key whose value is an object of plural forms
 * (`one`, `other`, …) picks the form for `vars.count`.
 */
export function t(key, vars = {}) {
  let v = lookup(key);
  if (v && typeof v === 'object') {
    const form = new Intl.PluralRules(locale).select(vars.count ?? 0);
    v = v[form] ?? v.other;
  }
  if (typeof v !== 'string') {
    console.warn(`${missing} ${lang}:${key}`);
    return key;
  }
  return v.replace(/\{(\w+)\}/g, (m, name) => {
    const x = Object.hasOwn(vars, name) ? vars[name] : pageValue(name);
    if (x === undefined) return m;
    return typeof x === 'number' ? formatNumber(x) : String(x);
  });
}

/** True when the language file has the key (used for optional strings such as kind labels). */
export const has = (key) => typeof lookup(key) === 'string';

/** Fills `[data-i18n]` (text) and `[data-i18n-attr="attr:key;attr:key"]` under `root`. */
export function applyStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-attr]')) {
    for (const pair of el.dataset.i18nAttr.split(';')) {
      const [attr, key] = pair.split(':').map((s) => s.trim());
      if (attr && key) el.setAttribute(attr, t(key));
    }
  }
}

export const formatNumber = (n, options) => new Intl.NumberFormat(locale, options).format(n);

/** 350 m, 1,2 km (Norwegian decimal comma in nb and nn). */
export function formatDistance(m) {
  if (m < 1000) return `${formatNumber(Math.round(m / 10) * 10)} m`;
  return `${formatNumber(m / 1000, { maximumFractionDigits: 1 })} km`;
}

/** Coordinates as 59,92930° N, 10,75944° Ø (five decimals: about a metre). */
export function formatPoint(lon, lat) {
  const f = (v) => formatNumber(Math.abs(v), { minimumFractionDigits: 5, maximumFractionDigits: 5 });
  return t('point.coordinates', {
    lat: f(lat), lon: f(lon),
    ns: lat >= 0 ? t('point.north') : t('point.south'),
    ew: lon >= 0 ? t('point.east') : t('point.west'),
  });
}

/** A date and time in Norway's time zone: «tirsdag 3. desember kl. 18:00». */
export function formatDateTime(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return new Intl.DateTimeFormat(locale, {
    weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit',
    timeZone: 'Europe/Oslo',
  }).format(d);
}

/** A time of day in Norway's time zone: 18:00. */
export function formatTime(date) {
  return new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', timeZone: 'Europe/Oslo' })
    .format(date);
}

/** The parts of a moment in Norway's time zone, named as in the language file's templates. */
function osloParts(date, options) {
  const parts = new Intl.DateTimeFormat(locale, { ...options, timeZone: 'Europe/Oslo', hourCycle: 'h23' })
    .formatToParts(date);
  return Object.fromEntries(parts.filter((p) => p.type !== 'literal').map((p) => [p.type, p.value]));
}

/**
 * When a session starts, in Norway's time zone and the language's own pattern
 * (`time.session`): «tirsdag 1. desember kl. 17.00», "Tuesday 1 December at 17:00".
 */
export function formatSession(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = osloParts(d, { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit' });
  return t('time.session', { weekday: p.weekday, day: p.day, month: p.month, hour: p.hour, minute: p.minute });
}

/** A time of day in Norway's time zone by the language's pattern (`time.clock`): 17.00. */
export function formatClock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const p = osloParts(d, { hour: '2-digit', minute: '2-digit' });
  return t('time.clock', { hour: p.hour, minute: p.minute });
}

/** The calendar day of a moment in Norway's time zone, as days since 1970 (to compare days). */
function osloDay(date) {
  const p = osloParts(date, { year: 'numeric', month: 'numeric', day: 'numeric' });
  return Date.UTC(+p.year, +p.month - 1, +p.day) / 86_400_000;
}

/**
 * When a place opens or closes next, in Norway's time zone and the language's patterns: the
 * time alone today (`time.clock`: «20.00»), with the short weekday within a week
 * (`time.change_day`: «man. 08.00»), and with the date beyond (`time.change_date`).
 */
export function formatChange(iso, now = new Date()) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  const days = osloDay(d) - osloDay(now);
  const p = osloParts(d, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });
  const time = t('time.clock', { hour: p.hour, minute: p.minute });
  if (days === 0) return time;
  return t(days > 0 && days < 7 ? 'time.change_day' : 'time.change_date', { weekday: p.weekday, day: p.day, month: p.month, time });
}

/** "HH:MM" of a weekly schedule (already Oslo time) by the language's pattern: 17.30. */
export function formatClockText(hhmm) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm ?? '');
  return m ? t('time.clock', { hour: m[1].padStart(2, '0'), minute: m[2] }) : (hhmm ?? '');
}

/** A calendar date (YYYY-MM-DD) by the language's pattern (`time.date`): 15. februar 2027. */
export function formatDate(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd ?? '');
  if (!m) return ymd ?? '';
  // Noon UTC is the same calendar day in Oslo.
  const p = osloParts(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12)), { day: 'numeric', month: 'long', year: 'numeric' });
  return t('time.date', { day: p.day, month: p.month, year: p.year });
}

/** The name of a weekday, 1 = Monday … 7 = Sunday, in the current language. */
export function weekdayName(n) {
  // 2024-01-01 was a Monday.
  return osloParts(new Date(Date.UTC(2024, 0, n, 12)), { weekday: 'long' }).weekday;
}

/** «a, b og c» / "a, b and c". */
export const formatList = (items) => new Intl.ListFormat(locale, { type: 'conjunction' }).format(items);
