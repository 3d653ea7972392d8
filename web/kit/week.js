// A place's opening hours for the next seven days (issue 18), as a table: the API's
// `opening_hours_week` (a facility's, or `services_now[i].week` of a knutepunkt's service):
// `[{ date: "2026-12-21", holiday, open: [["08:00","16:00"]], unknown: [["00:00","24:00"]], comments: [] }]`.
// One row per day: its header the weekday and date in the page's language (the date is a civil
// day in Oslo), «i dag» on today's row (aria-current="date") and «helligdag» on a public
// holiday; its cell the open times, «Stengt» only when nothing is open or unknown (unknown is
// never said as closed: «ukjent 18.00–20.00», or «Ukjent» for the whole day), and the comments
// as free text (lang="nb" in another language). A real table, so that a screen reader reads
// the day with its hours. Used by the residents' list, the knutepunkt's page and the staff page.
// Strings: the shared `opening_week` section of /static/i18n/{lang}.json (kit/i18n.js).

import { h } from './dom.js';
import { t, freeLang, currentLocale } from './i18n.js';

/** Today in Oslo as YYYY-MM-DD. */
export function osloToday(now = new Date()) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Oslo', year: 'numeric', month: '2-digit', day: '2-digit',
  }).formatToParts(now).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

/** «mandag 21. desember» / "Monday 21 December": a civil date (YYYY-MM-DD) in the page's language. */
export function dayName(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd ?? '');
  if (!m) return ymd ?? '';
  // Noon UTC is the same calendar day everywhere near Oslo.
  const p = Object.fromEntries(new Intl.DateTimeFormat(currentLocale(), {
    timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long',
  }).formatToParts(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12))).map((x) => [x.type, x.value]));
  return t('opening_week.day', { weekday: p.weekday, day: p.day, month: p.month });
}

/** "08:00" by the language's pattern: 08.00 / 08:00 ("24:00" stays 24). */
export function clock(hhmm) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm ?? '');
  return m ? t('opening_week.clock', { hour: m[1].padStart(2, '0'), minute: m[2] }) : (hhmm ?? '');
}

const span = ([from, to]) => t('opening_week.interval', { from: clock(from), to: clock(to) });
const wholeDay = (list) => list.length === 1 && list[0][0] === '00:00' && list[0][1] === '24:00';

/** A day's hours in words (without its comments): «08.00–16.00, 18.00–20.00», «Stengt», «Ukjent», «ukjent 10.00–12.00». */
export function dayHours(day) {
  const open = Array.isArray(day?.open) ? day.open : [];
  const unknown = Array.isArray(day?.unknown) ? day.unknown : [];
  const parts = [];
  if (open.length) parts.push(open.map(span).join(', '));
  if (unknown.length) {
    parts.push(!open.length && wholeDay(unknown)
      ? t('opening_week.unknown_day')
      : t('opening_week.unknown', { times: unknown.map(span).join(', ') }));
  }
  return parts.length ? parts.join(' · ') : t('opening_week.closed');
}

/** A word beside the day (today, public holiday): a visible tag, read as part of the row's header. */
const tag = (className, text) => [h('span', { className: 'visually-hidden', textContent: ', ' }),
  h('span', { className: `week-tag ${className}`, textContent: text })];

/**
 * The week as a table, or null without one. `label`: what the hours are of (a place's or a
 * service's name; a string, or a node with its own `lang`), said in the caption before
 * «de neste sju dagene» for screen readers. `id`: the table's id.
 */
export function weekTable(week, { label = null, id = null, now = new Date() } = {}) {
  if (!Array.isArray(week) || !week.length) return null;
  const today = osloToday(now);
  const caption = h('caption', { className: 'week-caption' },
    label ? h('span', { className: 'visually-hidden' }, label, ': ') : null,
    t('opening_week.caption'));
  const rows = week.map((day) => {
    const isToday = day.date === today;
    const closed = !(day.open?.length) && !(day.unknown?.length);
    const comments = Array.isArray(day.comments) ? day.comments.filter(Boolean) : [];
    return h('tr', {
      className: ['week-day', isToday ? 'week-today' : null, day.holiday ? 'week-holiday' : null, closed ? 'week-closed' : null]
        .filter(Boolean).join(' '),
      dataset: { date: day.date },
      'aria-current': isToday ? 'date' : null,
    },
    h('th', { scope: 'row' },
      h('time', { dateTime: day.date, textContent: dayName(day.date) }),
      isToday ? tag('week-tag-today', t('opening_week.today')) : null,
      day.holiday ? tag('week-tag-holiday', t('opening_week.holiday')) : null),
    h('td', {},
      h('span', { className: 'week-hours', textContent: dayHours(day) }),
      comments.flatMap((c) => [' ', h('span', { className: 'week-comment', lang: freeLang(), textContent: c })])));
  });
  return h('table', { className: 'week-table', id },
    caption,
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', textContent: t('opening_week.col_day') }),
      h('th', { scope: 'col', textContent: t('opening_week.col_hours') }))),
    h('tbody', {}, rows));
}
