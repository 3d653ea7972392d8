// Activities and volunteer needs from /api/reach: the rows of the list and the points of the
// map. The list is the full equal of the map: every point there is a row here (points that
// share a place on the map are several rows), with everything the point tells and more.

import {
  t, tNodes, has, currentLanguage, freeLang, formatNumber, formatDistance, formatSession, formatClock, formatClockText,
  formatDate, formatList, weekdayName,
} from '../kit/i18n.js';
import { h, mark } from '../kit/dom.js';

const props = (f) => f.properties ?? f;

/** Free text from the API (a title, a name, a description): marked Norwegian in another language. */
export const nb = (text, className) => h('span', { className, lang: freeLang(), textContent: text ?? '' });

/** The category's label in the current language (the API's labels when the file has none). */
export function categoryLabel(p) {
  if (has(`categories.${p.category}`)) return t(`categories.${p.category}`);
  return (currentLanguage() === 'nb' ? p.category_label_nb : p.category_label_en) ?? p.category ?? '';
}

/** «Gratis», «400 kr per semester» (the note is the organiser's words). */
export function priceText(p) {
  if (p.free || !(p.price_nok > 0)) return [t('activity.free')];
  const price = t('activity.price', { price: formatNumber(p.price_nok, { maximumFractionDigits: 2 }) });
  return p.price_note ? [`${price} `, nb(p.price_note)] : [price];
}

/** «6–12 år», «Fra 60 år», «Til og med 3 år», «Alle aldre». */
export function ageText(p) {
  const min = p.age_min ?? null;
  const max = p.age_max ?? null;
  if (min != null && max != null) return t('activity.ages', { min: String(min), max: String(max) });
  if (min != null && min > 0) return t('activity.age_from', { min: String(min) });
  if (max != null) return t('activity.age_to', { max: String(max) });
  return t('activity.age_all');
}

/** Where it takes place: the facility's name (or kind), else the organiser's own spot (nodes). */
export function placeText(p) {
  const f = p.facility;
  if (f) {
    const kind = has(`kinds.${f.kind}`) ? t(`kinds.${f.kind}`) : (f.kind_label_nb ?? f.kind ?? '');
    return f.name ? [nb(f.name), ` (${kind.toLowerCase()})`] : [kind];
  }
  return [t('activity.own_place')];
}

/** Parts joined by « · » (a part: a string, a node, or an array of them; empty ones left out). */
function joined(parts) {
  const out = [];
  for (const part of parts.filter((x) => x != null && x !== '' && !(Array.isArray(x) && !x.length))) {
    if (out.length) out.push(' · ');
    out.push(...[part].flat());
  }
  return out;
}

/** «Neste gang: tirsdag 1. desember kl. 17.00–18.30», with a machine-readable <time>. */
function nextSessionNode(p) {
  const span = document.createElement('span');
  span.className = 'result-when';
  const s = p.next_session;
  if (!s?.start) {
    span.textContent = t('activity.no_session');
    return span;
  }
  const time = document.createElement('time');
  time.dateTime = s.start;
  time.className = 'next-session';
  time.textContent = formatSession(s.start);
  const [before, after] = t('activity.next_session', { when: '\u0000' }).split('\u0000');
  span.append(document.createTextNode(before), time,
    document.createTextNode(s.end ? `–${formatClock(s.end)}${after}` : after));
  return span;
}

/** The «Eksempel» badge of the demo's example data (its meaning for screen readers too). */
export const exampleBadge = () => h('span', { className: 'badge badge-example', textContent: t('activity.example') },
  h('span', { className: 'visually-hidden', textContent: `: ${t('activity.example_explained')}` }));

function kindLine(label, example) {
  const line = document.createElement('span');
  line.className = 'result-kind';
  line.append(document.createTextNode(label));
  if (example) line.append(' ', exampleBadge());
  return line;
}

function metaLine(className, content) {
  return h('span', { className }, ...[content].flat());
}

function minutesNode(p) {
  const minutes = document.createElement('span');
  minutes.className = 'result-minutes';
  if (p.walk_minutes != null) {
    minutes.textContent = t('list.minutes', { count: p.walk_minutes });
    minutes.dataset.minutes = String(p.walk_minutes);
  }
  return minutes;
}

function definitionList(rows) {
  const dl = document.createElement('dl');
  dl.className = 'result-facts';
  for (const [term, value] of rows) {
    if (value == null || value === '') continue;
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    if (value instanceof Node || Array.isArray(value)) dd.append(...[value].flat());
    else dd.textContent = value;
    dl.append(dt, dd);
  }
  return dl;
}

function link(href, text) {
  let url;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (!['http:', 'https:'].includes(url.protocol)) return null;
  const a = document.createElement('a');
  a.href = url.href;
  a.rel = 'noopener noreferrer';
  a.textContent = text;
  return a;
}

/** A public contact as a link when it is an e-mail address or a web address, else as text. */
function contactNode(contact) {
  if (!contact) return null;
  if (/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(contact)) {
    const a = document.createElement('a');
    a.href = `mailto:${contact}`;
    a.textContent = contact;
    return a;
  }
  if (/^https?:\/\//.test(contact)) return link(contact, contact) ?? contact;
  return contact;
}

function languageNames(tags) {
  let names;
  try {
    names = new Intl.DisplayNames([document.documentElement.lang || 'nb'], { type: 'language' });
  } catch {
    return formatList(tags);
  }
  return formatList(tags.map((tag) => {
    try {
      return names.of(tag) ?? tag;
    } catch {
      return tag;
    }
  }));
}

/** «tirsdag 17.30–18.30 og torsdag 17.30–18.30». */
export function weeklyText(schedule) {
  const sessions = [...(schedule?.sessions ?? [])].sort((a, b) => a.weekday - b.weekday || a.start.localeCompare(b.start));
  return formatList(sessions.map((s) => t('activity.weekly_session', {
    weekday: weekdayName(s.weekday), start: formatClockText(s.start), end: formatClockText(s.end),
  })));
}

/**
 * The frame of a row: its mark, the kind line, the title (a button that shows it on the map
 * when it has a place), where and by whom. Returns the row and its body, for the rest.
 */
function row(f, { className, idKey, markClass, kind, onSelect }) {
  const p = props(f);
  const title = f.geometry
    ? h('button', { type: 'button', className: 'result-name', lang: freeLang(), textContent: p.title ?? '', on: { click: () => onSelect(f.id) } })
    : h('span', { className: 'result-title', lang: freeLang(), textContent: p.title ?? '' });
  const organiser = p.organisation?.name;
  const body = h('div', { className: 'result-body' },
    kindLine(kind, p.example),
    title,
    metaLine('result-meta', joined([placeText(p), organiser && tNodes('activity.by', { organiser: nb(organiser) })])));
  const li = h('li', { className: `result ${className}`, dataset: { [idKey]: String(f.id) } }, mark(markClass), body);
  return { li, body, p, finish: () => li.append(minutesNode(p)) };
}

/** Words for screen readers that say which row a control belongs to («: Fotball for 10–12 år»). */
const which = (p) => h('span', { className: 'visually-hidden' }, ': ', nb(p.title));

/**
 * A row of the activity list. `onSelect(id)` shows it on the map. The row has
 * `data-activity-id` and the walking minutes in `.result-minutes[data-minutes]`.
 */
export function activityRow(f, { onSelect }) {
  const p = props(f);
  const r = row(f, { className: 'result-activity', idKey: 'activityId', markClass: 'activity-mark', kind: categoryLabel(p), onSelect });
  r.body.append(
    nextSessionNode(p),
    metaLine('result-meta', joined([priceText(p), ageText(p), p.distance_m != null ? formatDistance(p.distance_m) : null])),
  );
  const s = p.schedule ?? {};
  const access = (p.accessibility ?? []).map((a) => (has(`accessibility.${a}`) ? t(`accessibility.${a}`) : a));
  const signup = p.signup_url ? link(p.signup_url, t('activity.signup_link')) : null;
  const period = [s.valid_from && t('activity.from', { date: formatDate(s.valid_from) }), s.valid_to && t('activity.to', { date: formatDate(s.valid_to) })]
    .filter(Boolean).join(' ');
  r.body.append(h('details', { className: 'result-details' },
    h('summary', { textContent: t('activity.more') }, which(p)),
    definitionList([
      [t('activity.description'), p.description ? nb(p.description) : null],
      [t('activity.weekly'), weeklyText(s)],
      [t('activity.period'), period || null],
      [t('activity.exceptions'), s.exceptions?.length ? formatList(s.exceptions.map(formatDate)) : null],
      [t('activity.languages'), p.languages?.length ? languageNames(p.languages) : null],
      [t('activity.accessibility'), access.length ? formatList(access) : null],
      [t('activity.organiser'), p.organisation?.name ? nb(p.organisation.name) : null],
      [t('activity.signup'), signup],
      [t('activity.contact'), contactNode(p.contact ?? p.organisation?.contact)],
    ])));
  r.finish();
  return r.li;
}

/** A row of the volunteer list, with its "Jeg kan hjelpe" button. */
export function needRow(f, { onSelect, onHelp }) {
  const r = row(f, { className: 'result-need', idKey: 'needId', markClass: 'need-mark', kind: t('need.kind'), onSelect });
  const { p } = r;
  if (p.description) r.body.append(metaLine('result-description', nb(p.description)));
  r.body.append(definitionList([
    [t('need.time'), p.time_commitment ? nb(p.time_commitment) : null],
    [t('need.skills'), p.skills?.length ? nb(formatList(p.skills)) : null],
    [t('need.until'), p.valid_until ? formatDate(p.valid_until) : null],
  ]));
  const help = h('button', { type: 'button', className: 'primary help-button', textContent: t('need.help') }, which(p));
  help.addEventListener('click', () => onHelp(f, help));
  r.body.append(help);
  r.finish();
  return r.li;
}

/**
 * Points for the map: items at the same place share one point, which carries how many there
 * are. Returns the GeoJSON and, per point id, the ids of its items (in list order).
 */
export function groupByPlace(features) {
  const byKey = new Map();
  for (const f of features) {
    const c = f.geometry?.type === 'Point' ? f.geometry.coordinates : null;
    if (!c) continue;
    const key = `${c[0].toFixed(6)},${c[1].toFixed(6)}`;
    if (!byKey.has(key)) byKey.set(key, { coordinates: c, ids: [] });
    byKey.get(key).ids.push(f.id);
  }
  const members = new Map();
  const points = [...byKey.values()].map((g, i) => {
    members.set(i + 1, g.ids);
    return {
      type: 'Feature', id: i + 1,
      properties: { count: g.ids.length, first: g.ids[0] },
      geometry: { type: 'Point', coordinates: g.coordinates },
    };
  });
  return { geojson: { type: 'FeatureCollection', features: points }, members };
}
