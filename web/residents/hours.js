// Opening hours in the residents' list (issue 18): a place's state now («Åpen nå · stenger
// 20.00», «Stengt · åpner man. 08.00»; nothing when its hours are unknown: unknown is never
// said as closed), its hours in a fold-out: the next seven days as a table (kit/week.js, from
// the reach answer's `opening_hours_week`: nothing to ask for), or, only when the text could not
// be read (no week), the text as recorded (OpenStreetMap or the operator's file, from the
// facility's item, asked for when the fold-out opens), and the link that subscribes to the next
// seven days' activities near the chosen point (/api/calendar, iCalendar, in the page's language).

import { h } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, freeLang, formatChange, currentLanguage } from '../kit/i18n.js';
import { weekTable } from '../kit/week.js';

/** «Åpen nå · stenger 20.00» / «Stengt · åpner man. 08.00», or null when the hours are unknown. */
export function hoursText(p, now = new Date()) {
  if (p.open_now !== true && p.open_now !== false) return null;
  const when = p.next_change ? formatChange(p.next_change, now) : '';
  if (p.open_now) return when ? t('hours.open_closes', { when }) : t('hours.open');
  return when ? t('hours.closed_opens', { when }) : t('hours.closed');
}

/** The row's line with the state now (data-open="true|false"), or null. */
export function hoursLine(p) {
  const text = hoursText(p);
  if (!text) return null;
  return h('span', { className: 'result-hours', dataset: { open: String(p.open_now) } },
    p.next_change ? h('time', { dateTime: p.next_change, textContent: text }) : text);
}

// Opening hours as recorded, per facility id.
const written = new Map();

function writtenHours(id) {
  if (!written.has(id)) {
    const p = fetch(at(`/api/collections/facilities/items/${encodeURIComponent(id)}`))
      .then((r) => (r.ok ? r.json() : Promise.reject(new Error(`HTTP ${r.status}`))))
      .then((f) => f.properties?.opening_hours ?? null);
    written.set(id, p);
    p.catch(() => written.delete(id));
  }
  return written.get(id);
}

/**
 * The fold-out «Åpningstider» of a place with opening hours, named by its place for screen
 * readers: the next seven days as a table when the answer has them (`opening_hours_week`);
 * else, opened, the hours as recorded (free text: marked Norwegian in another language), asked
 * for once: hours whose text could not be read (open_now null, no week) are shown so that the
 * resident can. Null when the place has no hours.
 */
export function hoursDetails(f, name) {
  const p = f.properties;
  const week = Array.isArray(p.opening_hours_week) && p.opening_hours_week.length ? p.opening_hours_week : null;
  if (!week && p.open_now !== true && p.open_now !== false && !p.opening_hours) return null;
  const summary = h('summary', { textContent: t('hours.more') },
    h('span', { className: 'visually-hidden' }, ': ', h('span', { lang: p.name ? freeLang() : null, textContent: name })));
  if (week) {
    return h('details', { className: 'result-details result-hours-details' }, summary,
      weekTable(week, { label: h('span', { lang: p.name ? freeLang() : null, textContent: name }) }));
  }
  const value = h('p', { className: 'opening-hours-value', textContent: t('hours.loading') });
  const details = h('details', { className: 'result-details result-hours-details' }, summary,
    h('p', { className: 'opening-hours-source', textContent: t('hours.recorded') }), value);
  details.addEventListener('toggle', async () => {
    if (!details.open || value.dataset.loaded) return;
    try {
      const text = await writtenHours(f.id);
      value.dataset.loaded = 'true';
      value.replaceChildren(text
        ? h('code', { className: 'opening-hours', lang: freeLang(), translate: false, textContent: text })
        : t('hours.none'));
    } catch {
      value.textContent = t('hours.failed');
    }
  });
  return details;
}

// The calendar takes the activity filters of the list (not open_now: it lists sessions ahead).
const CALENDAR_FILTERS = [['category', 'category'], ['age', 'age'], ['weekday', 'weekday'], ['timeOfDay', 'time_of_day']];

/** /api/calendar for the chosen point, walking time, profile and activity filters, as iCalendar (in English on an English page). */
export function calendarHref(state) {
  const q = new URLSearchParams({
    lon: String(state.point[0]), lat: String(state.point[1]), minutes: String(state.minutes),
  });
  if (state.profile && state.profile !== 'walk') q.set('profile', state.profile);
  for (const [key, param] of CALENDAR_FILTERS) if (state[key] != null) q.set(param, String(state[key]));
  if (state.free) q.set('free', 'true');
  if (state.accessibility?.length) q.set('accessibility', state.accessibility.join(','));
  q.set('f', 'ics');
  if (currentLanguage() === 'en') q.set('lang', 'en');
  return at(`/api/calendar?${q.toString().replace(/%2C/gi, ',')}`);
}

/** «Abonner på aktivitetene de neste sju dagene i kalenderen din»: a plain link, with what it gives. */
export function calendarLink(state) {
  if (!state.point) return null;
  return h('p', { className: 'calendar-link' },
    h('a', { id: 'calendar-link', href: calendarHref(state), type: 'text/calendar', textContent: t('calendar.link') }),
    ' ', h('span', { className: 'hint', textContent: t('calendar.hint') }));
}
