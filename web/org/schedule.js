// The weekly schedule editor: rows of weekday (1 = Monday … 7 = Sunday), start and end
// ("HH:MM", Oslo time), added and removed by buttons; the dates it is valid from and to; and
// exceptions (dates without sessions, like school holidays). Reads and writes the API's
// `schedule: { sessions: [{weekday, start, end}], valid_from, valid_to, exceptions }`.

import { $, h, announce } from '../kit/dom.js';
import { t, weekdayName, formatDate, applyStatic } from '../kit/i18n.js';
import { inputField } from './fields.js';

const MAX_SESSIONS = 14;
let counter = 0;
let exceptions = [];

const rows = () => [...$('sched-rows').children];

/** A small labelled control with its own error line (for kit/forms.js markField). */
function cell(id, labelKey, control) {
  control.id = id;
  control.setAttribute('aria-describedby', `${id}-hint`);
  return h('div', { className: 'cell' },
    h('label', { htmlFor: id, dataset: { i18n: labelKey } }),
    h('p', { id: `${id}-error`, className: 'field-error', hidden: true }),
    h('span', { id: `${id}-hint`, hidden: true }),
    control);
}

function renumber() {
  rows().forEach((row, i) => {
    row.querySelector('.session-title').textContent = t('schedule.session', { n: i + 1 });
    row.querySelector('.remove').textContent = t('schedule.remove', { n: i + 1 });
    row.querySelector('.remove').disabled = rows().length === 1;
  });
  $('sched-add').disabled = rows().length >= MAX_SESSIONS;
}

function addRow(session = { weekday: 1, start: '17:00', end: '18:00' }, { focus = false } = {}) {
  const n = ++counter;
  const weekday = h('select', {}, [1, 2, 3, 4, 5, 6, 7].map((d) => new Option(weekdayName(d), String(d))));
  weekday.value = String(session.weekday);
  const row = h('div', { className: 'session', role: 'group', 'aria-labelledby': `sched-${n}-title` },
    h('p', { className: 'session-title', id: `sched-${n}-title` }),
    cell(`sched-${n}-weekday`, 'schedule.weekday', weekday),
    cell(`sched-${n}-start`, 'schedule.start', h('input', { type: 'time', value: session.start, step: 300 })),
    cell(`sched-${n}-end`, 'schedule.end', h('input', { type: 'time', value: session.end, step: 300 })),
    h('button', {
      type: 'button', className: 'remove small',
      on: {
        click: () => {
          const i = rows().indexOf(row);
          row.remove();
          renumber();
          announce(t('schedule.removed', { n: i + 1 }));
          (rows()[Math.min(i, rows().length - 1)]?.querySelector('select') ?? $('sched-add')).focus();
        },
      },
    }));
  applyStatic(row);
  $('sched-rows').append(row);
  renumber();
  if (focus) weekday.focus();
}

function renderExceptions() {
  $('sched-exception-list').replaceChildren(...exceptions.map((d) => h('li', {},
    h('span', { textContent: formatDate(d) }), ' ',
    h('button', {
      type: 'button', className: 'small', textContent: t('schedule.exception_remove', { date: formatDate(d) }),
      on: {
        click: () => {
          exceptions = exceptions.filter((x) => x !== d);
          renderExceptions();
          announce(t('schedule.exception_removed', { date: formatDate(d) }));
          $('sched-exception').focus();
        },
      },
    }))));
  $('sched-exception-none').hidden = exceptions.length > 0;
}

/** The schedule's fieldset. */
export function scheduleField() {
  const fieldset = h('fieldset', { className: 'schedule', id: 'sched' },
    h('legend', { dataset: { i18n: 'schedule.legend' } }),
    h('p', { className: 'hint', dataset: { i18n: 'schedule.hint' } }),
    h('p', { id: 'sched-rows-error', className: 'field-error', hidden: true }),
    h('div', { id: 'sched-rows', className: 'sessions' }),
    h('div', { className: 'buttons' }, h('button', {
      type: 'button', id: 'sched-add', dataset: { i18n: 'schedule.add' },
      on: { click: () => { addRow(undefined, { focus: true }); announce(t('schedule.added', { n: rows().length })); } },
    })),
    h('div', { className: 'two' },
      inputField({ id: 'sched-from', name: 'valid_from', label: 'schedule.valid_from', type: 'date', required: false }),
      inputField({ id: 'sched-to', name: 'valid_to', label: 'schedule.valid_to', type: 'date', required: false })),
    h('div', { className: 'exceptions' },
      inputField({ id: 'sched-exception', name: 'exception', label: 'schedule.exception', hint: 'schedule.exception_hint', type: 'date', required: false }),
      h('div', { className: 'buttons' }, h('button', {
        type: 'button', id: 'sched-exception-add', dataset: { i18n: 'schedule.exception_add' },
        on: { click: addException },
      })),
      h('p', { id: 'sched-exception-none', className: 'hint', dataset: { i18n: 'schedule.exception_none' } }),
      h('ul', { id: 'sched-exception-list', className: 'plain-list', 'aria-label': '' })));
  applyStatic(fieldset);
  fieldset.querySelector('#sched-exception-list').setAttribute('aria-label', t('schedule.exception_list'));
  return fieldset;
}

function addException() {
  const d = $('sched-exception').value;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) {
    $('sched-exception').focus();
    return;
  }
  if (!exceptions.includes(d)) exceptions = [...exceptions, d].sort();
  $('sched-exception').value = '';
  renderExceptions();
  announce(t('schedule.exception_added', { date: formatDate(d) }));
}

/** Fills the editor from an activity's schedule (or the default: one row, no dates). */
export function setSchedule(schedule) {
  $('sched-rows').replaceChildren();
  const sessions = schedule?.sessions?.length ? schedule.sessions : [undefined];
  for (const s of sessions) addRow(s);
  $('sched-from').value = schedule?.valid_from ?? '';
  $('sched-to').value = schedule?.valid_to ?? '';
  exceptions = [...(schedule?.exceptions ?? [])];
  $('sched-exception').value = '';
  renderExceptions();
}

/** The schedule as the API wants it. */
export function readSchedule() {
  const s = {
    sessions: rows().map((row) => {
      const [weekday, start, end] = row.querySelectorAll('select, input');
      return { weekday: Number(weekday.value), start: start.value, end: end.value };
    }),
  };
  if ($('sched-from').value) s.valid_from = $('sched-from').value;
  if ($('sched-to').value) s.valid_to = $('sched-to').value;
  if (exceptions.length) s.exceptions = exceptions;
  return s;
}

/** The input for a server field under `schedule.` (`sessions[1].end`, `valid_to`), or null. */
export function scheduleInput(field) {
  const m = /^schedule\.sessions\[(\d+)\]\.(weekday|start|end)$/.exec(field);
  if (m) {
    const row = rows()[Number(m[1])];
    return row ? row.querySelector(`[id$="-${m[2]}"]:is(select, input)`)?.id ?? null : null;
  }
  return { 'schedule.sessions': rows()[0]?.querySelector('select')?.id, 'schedule.valid_from': 'sched-from',
    'schedule.valid_to': 'sched-to', 'schedule.exceptions': 'sched-exception' }[field] ?? null;
}
