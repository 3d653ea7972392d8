// A season's activities from one CSV file (POST /api/organisations/{id}/activities.csv): the
// template to fill in, a file input and an Upload button (disabled while the file is sent).
// The server checks every row before it writes any: on success the list is loaded anew and
// then "N aktiviteter er lagt til" is said; on a 422 each problem is shown by row and column
// («Rad 3, kolonne «sessions»: …») under a heading that takes the focus, and nothing was
// saved; any other failure is the page's usual error text.

import { $, h, announce } from '../kit/dom.js';
import { t, has } from '../kit/i18n.js';
import { markField } from '../kit/forms.js';
import { api } from './api.js';
import { currentOrg } from './context.js';
import { errorText, onSubmit } from './fields.js';
import { loadActivities } from './activities.js';

// The server's reasons (src/edit/csv.rs) that have words of their own: [pattern, key, values].
const REASONS = [
  [/^"(.*)" is not a weekday$/, 'season.reasons.weekday', (m) => ({ value: m[1] })],
  [/^"(.*)": write a weekday and a time/, 'season.reasons.session', (m) => ({ value: m[1] })],
  [/^"(.*)": write start-end/, 'season.reasons.times', (m) => ({ value: m[1] })],
  [/^"(.*)" is not a number$/, 'season.reasons.number', (m) => ({ value: m[1] })],
  [/^"(.*)" is not a category; categories: (.*)$/, 'season.reasons.category', (m) => ({ value: m[1], list: m[2] })],
  [/^"(.*)" is not a facility id$/, 'season.reasons.facility', (m) => ({ value: m[1] })],
  [/ is not a position$/, 'season.reasons.position', () => ({})],
  [/^give facility_id, or lon and lat$/, 'season.reasons.place', () => ({})],
  [/^at least one session$/, 'season.reasons.no_session', () => ({})],
  [/^this column is required$/, 'season.reasons.required', () => ({})],
  [/^unknown column; columns: (.*)$/, 'season.reasons.unknown_column', (m) => ({ list: m[1] })],
  [/^(\d+) fields, the header has (\d+)$/, 'season.reasons.fields', (m) => ({ count: Number(m[1]), header: Number(m[2]) })],
  [/^the file has no activities$/, 'season.reasons.empty', () => ({})],
  [/^not CSV/, 'season.reasons.not_csv', () => ({})],
];

/** A problem's reason in the page's language: own words, an activity field's words, or the server's. */
export function reasonText(reason) {
  for (const [re, key, values] of REASONS) {
    const m = re.exec(reason ?? '');
    if (m) return t(key, values(m));
  }
  // An activity's field error: "schedule.sessions[0].end: must be after the start (…)".
  const field = /^([a-z_]+(?:\[\d+\])?(?:\.[a-z_]+(?:\[\d+\])?)*): /.exec(reason ?? '');
  if (field) {
    const key = `errors.${field[1].replace(/\[\d+\]/g, '').replace(/\./g, '_')}`;
    if (has(key)) return t(key);
  }
  return reason ?? '';
}

/** «Rad 3, kolonne «sessions»: …» (or without the column when the problem is the whole row). */
export const problemText = ({ row, column, reason }) => (column
  ? t('season.problem', { row, column, reason: reasonText(reason) })
  : t('season.problem_row', { row, reason: reasonText(reason) }));

function clear() {
  $('season-errors').hidden = true;
  $('season-error-list').replaceChildren();
  $('season-status').textContent = '';
  markField('season-file', null);
}

/** The file's problems, under a heading that takes the focus. */
function showProblems(errors) {
  $('season-errors-heading').textContent = t('season.errors_heading', { count: errors.length });
  $('season-error-list').replaceChildren(...errors.map((e) => h('li', { textContent: problemText(e) })));
  $('season-errors').hidden = false;
  $('season-errors-heading').focus();
}

async function upload() {
  clear();
  const input = $('season-file');
  const file = input.files?.[0];
  if (!file) {
    markField('season-file', t('season.no_file'));
    input.focus();
    return;
  }
  const org = currentOrg();
  if (!org) return;
  let created;
  try {
    const { data } = await api('POST', `/api/organisations/${org.id}/activities.csv`, { file, type: 'text/csv' });
    created = data?.created?.length ?? 0;
  } catch (e) {
    if (e.status === 422 && e.errors.some((x) => x && 'row' in x)) {
      showProblems(e.errors);
    } else {
      $('season-status').textContent = errorText(e);
      if (!e.sessionEnded) announce(errorText(e));
    }
    return;
  }
  input.value = '';
  // Said once the list shows them.
  await loadActivities();
  const text = t('season.done', { count: created });
  $('season-status').textContent = text;
  announce(text);
}

export function buildSeason() {
  onSubmit($('season-form'), upload);
  $('season-file').addEventListener('change', () => markField('season-file', null));
  $('org-select').addEventListener('change', () => {
    clear();
    $('season-file').value = '';
  });
}
