// «Åpent på et tidspunkt» (issue 18): coverage by the facilities open at a chosen time in Oslo
// (`open_at=2026-12-01T18:00` on /api/coverage, its CSV and the hexagon tiles). Off by default;
// a date-time field and quick choices (the next weekday evening at 18, Saturday and Sunday at
// 12). Years 2000–2100 only: another is the field's error, and nothing is asked until the field
// holds a good time. Facilities without known opening hours count as open, or as closed when
// chosen («Steder uten kjente åpningstider regnes som: åpne / stengte»: `unknown_hours=closed`);
// after the answer, what counted in words («Av 8 anlegg (bibliotek): 3 åpne, 1 stengt og 4 uten
// kjente åpningstider (regnet som åpne)», from the answer's `open_at_facilities`).

import { $, h } from '../kit/dom.js';
import { t, currentLocale, formatList } from '../kit/i18n.js';
import { fillChoices } from '../kit/choices.js';
import { page } from './context.js';
import { kindLabel } from './format.js';

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
/** The years the field takes. */
export const YEARS = [2000, 2100];

/** A civil time «2026-12-01T18:00» when it is a real one in YEARS, else null. */
export function validOpenAt(text) {
  const m = PATTERN.exec(text ?? '');
  if (!m || +m[1] < YEARS[0] || +m[1] > YEARS[1]) return null;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]));
  const back = d.toISOString().slice(0, 16);
  return back === text ? text : null;
}

/** Now in Oslo: the civil date (as a UTC midnight) and the hour. */
function osloNow(now = new Date()) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Oslo', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
  }).formatToParts(now).map((x) => [x.type, x.value]));
  return { day: new Date(Date.UTC(+p.year, +p.month - 1, +p.day)), minutes: +p.hour * 60 + +p.minute };
}

const civil = (day, hour) => `${day.toISOString().slice(0, 10)}T${String(hour).padStart(2, '0')}:00`;

/**
 * The quick choices: the first day from today (today only before the hour) whose weekday
 * (0 = Sunday … 6 = Saturday, as Date.getUTCDay) is in `days`, at `hour` Oslo time.
 */
function next(days, hour, now) {
  const { day, minutes } = osloNow(now);
  for (let i = 0; i < 8; i += 1) {
    const d = new Date(day.getTime() + i * 86_400_000);
    if (days.includes(d.getUTCDay()) && (i > 0 || minutes < hour * 60)) return civil(d, hour);
  }
  return civil(day, hour);
}

export const QUICK = {
  weekday_evening: (now) => next([1, 2, 3, 4, 5], 18, now),
  saturday: (now) => next([6], 12, now),
  sunday: (now) => next([0], 12, now),
};

/** «tirsdag 1. desember 2026 kl. 18.00» in the page's language (`results.open_at_when`). */
export function formatOpenAt(text) {
  const m = PATTERN.exec(text ?? '');
  if (!m) return text ?? '';
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], 12));
  const p = Object.fromEntries(new Intl.DateTimeFormat(currentLocale(), { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long' })
    .formatToParts(d).map((x) => [x.type, x.value]));
  return t('results.open_at_when', { weekday: p.weekday, day: p.day, month: p.month, year: m[1], hour: m[4], minute: m[5] });
}

/** What the numbers mean with a time chosen, or '' without one. */
export const openAtExplanation = () => (page.state.openAt && !page.state.nature
  ? t(page.state.unknownHours === 'closed' ? 'results.open_at_unknown_closed' : 'results.open_at', { when: formatOpenAt(page.state.openAt) }) : '');

/**
 * What counted at the time, from the answer's `open_at_facilities` ({open, closed, unknown,
 * unknown_counted_as}): «Av 8 anlegg (bibliotek): 3 åpne, 1 stengt og 4 uten kjente
 * åpningstider (regnet som åpne).», or null without a time or without the counts.
 */
export function openAtCounts(coverage = page.coverage) {
  const c = coverage?.open_at_facilities;
  if (!page.state.openAt || page.state.nature || !c) return null;
  const counted = c.unknown_counted_as === 'closed' ? 'closed' : 'open';
  const total = c.open + c.closed + c.unknown;
  return t('results.open_at_counts', {
    count: total,
    total,
    kind: kindLabel(page.state.kind).toLocaleLowerCase(currentLocale()),
    parts: formatList([
      t('results.open_at_n_open', { count: c.open, n: c.open }),
      t('results.open_at_n_closed', { count: c.closed, n: c.closed }),
      t(`results.open_at_n_unknown_${counted}`, { count: c.unknown, n: c.unknown }),
    ]),
  });
}

/**
 * The control's state from the page's (after a language switch or a change). Opening hours
 * are facilities': a nature question hides the control (and its time is kept for later).
 */
export function showOpenAt() {
  const { state } = page;
  document.querySelector('fieldset.open-at').hidden = Boolean(state.nature);
  $('open-at-on').checked = Boolean(state.openAt);
  $('open-at-panel').hidden = !state.openAt;
  if (state.openAt && $('open-at').value !== state.openAt) $('open-at').value = state.openAt;
  for (const input of document.querySelectorAll('#unknown-hours input')) input.checked = input.value === state.unknownHours;
  $('scenario-open-at').hidden = !state.openAt || Boolean(state.nature);
}

function setError(on) {
  const text = on ? t('question.open_at_invalid', { from: String(YEARS[0]), to: String(YEARS[1]) }) : '';
  if ($('open-at-error').textContent !== text) $('open-at-error').textContent = text;
  $('open-at').setAttribute('aria-invalid', String(on));
}

/** Wires the switch, the field and the quick choices; `changed()` loads the question again. */
export function wireOpenAt(changed) {
  const { state } = page;
  let last = state.openAt;
  const apply = (value) => {
    setError(false);
    if (value === state.openAt) return;
    state.openAt = value;
    if (value) last = value;
    showOpenAt();
    changed();
  };
  $('open-at').setAttribute('aria-invalid', 'false');
  $('open-at-on').addEventListener('change', (e) => apply(e.target.checked ? (last ?? QUICK.weekday_evening()) : null));
  $('open-at').addEventListener('change', (e) => {
    const value = validOpenAt(e.target.value);
    if (!value) setError(true);
    else apply(value);
  });
  const quick = $('open-at-quick');
  quick.replaceChildren(...Object.keys(QUICK).map((key) => h('button', {
    type: 'button', className: 'small', dataset: { quick: key },
    on: { click: () => apply(QUICK[key]()) },
  })));
  fillChoices($('unknown-hours'), 'radio', 'unknown-hours', ['open', 'closed'].map((value) => ({
    value, label: t(`question.unknown_hours_${value}`), checked: state.unknownHours === value,
    onChange: (e) => {
      if (!e.target.checked || state.unknownHours === value) return;
      state.unknownHours = value;
      changed();
    },
  })));
  relabelOpenAt();
  showOpenAt();
}

/** The quick choices' names in the current language. */
export function relabelOpenAt() {
  for (const b of document.querySelectorAll('#open-at-quick button')) b.textContent = t(`question.open_at_${b.dataset.quick}`);
  for (const input of document.querySelectorAll('#unknown-hours input')) {
    input.nextElementSibling.textContent = t(`question.unknown_hours_${input.value}`);
  }
}
