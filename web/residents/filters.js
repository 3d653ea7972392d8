// The residents' filters: walking time, open now, profile, kinds, the "Vis i kartet" switches (with the
// residents' proposals and nature) and the activity filters (category, age, weekday, time of day, free, accessibility).

import { $, mark } from '../kit/dom.js';
import { t, weekdayName } from '../kit/i18n.js';
import { fillChoices, fillSelect, checkedValues } from '../kit/choices.js';
import { markField } from '../kit/forms.js';
import { KINDS } from '../kit/domain.js';
import {
  MINUTE_CHOICES, PROFILES, LAYERS, TIMES_OF_DAY, ACCESSIBILITY,
} from '../url-state.js';
import { page, kindColour, showsProposals } from './context.js';
import { applyTileFacilityState } from './overlay.js';
import { refreshReach, kindLabel, resultSummary, setStatus } from './reach.js';
import { renderList, renderLegend } from './list.js';
import { writeUrl } from './url.js';
import { loadProposals } from './proposals.js';
import { wireNatureSwitch } from './nature.js';

// The activity categories live in the kit (../kit/domain.js); the residents' modules import them from here too.
export { CATEGORIES } from '../kit/domain.js';
import { CATEGORIES } from '../kit/domain.js';

const capitalised = (s) => s.charAt(0).toLocaleUpperCase(document.documentElement.lang) + s.slice(1);

/** Fills the filters from the state, in the current language. */
export function buildFilters() {
  const { state } = page;
  const minutes = MINUTE_CHOICES.includes(state.minutes) ? MINUTE_CHOICES : [...MINUTE_CHOICES, state.minutes];
  fillSelect($('minutes'), minutes.map((m) => [m, t('filters.minutes_option', { count: m })]), String(state.minutes));
  fillChoices($('profiles'), 'radio', 'profile', PROFILES.map((p) => ({
    value: p, label: t(`profile.${p}.label`), checked: state.profile === p,
  })));
  fillChoices($('kinds'), 'checkbox', 'kind', KINDS.map((k) => {
    const dot = mark('kind-dot', kindColour(k));
    dot.dataset.kind = k;
    return { value: k, label: kindLabel(k), checked: !state.kinds || state.kinds.has(k), extra: dot };
  }));
  updateKindSummary();

  if ($('category')) {
    fillSelect($('category'), CATEGORIES.map((c) => [c, t(`categories.${c}`)]), state.category ?? '', t('filters.category_all'));
  }
  if ($('weekday')) {
    fillSelect($('weekday'), [1, 2, 3, 4, 5, 6, 7].map((d) => [d, capitalised(weekdayName(d))]),
      state.weekday != null ? String(state.weekday) : '', t('filters.weekday_all'));
  }
  if ($('age')) {
    // Keep what is being typed; show the state's age otherwise.
    if (document.activeElement !== $('age')) $('age').value = state.age != null ? String(state.age) : '';
    markAgeError(false);
  }
  if ($('free')) $('free').checked = state.free;
  if ($('open-now')) $('open-now').checked = state.openNow;
  if ($('time-of-day')) {
    fillSelect($('time-of-day'), TIMES_OF_DAY.map((d) => [d, t(`filters.time_of_day_option.${d}`)]),
      state.timeOfDay ?? '', t('filters.time_of_day_all'));
  }
  if ($('access')) {
    fillChoices($('access'), 'checkbox', 'accessibility', ACCESSIBILITY.map((a) => ({
      value: a, label: t(`filters.access.${a}`), checked: state.accessibility.includes(a),
    })));
  }
  if ($('layers')) {
    fillChoices($('layers'), 'checkbox', 'layer', LAYERS.map((l) => ({
      value: l, label: t(`layers.${l}`), checked: state.layers.has(l),
    })));
  }
  if ($('layer-proposals')) $('layer-proposals').checked = showsProposals();
  if ($('layer-nature')) $('layer-nature').checked = state.nature;
}

/** The age field's error: shown under the field, announced, and tied to it. */
function markAgeError(on) {
  if ($('age') && $('age-error')) markField('age', on ? t('filters.age_error') : null);
}

function updateKindSummary() {
  const n = page.state.kinds ? page.state.kinds.size : KINDS.length;
  $('kind-summary').textContent = t('filters.kinds_selected', { count: n, total: KINDS.length });
}

/** Listens to the filters: each change goes to the state, the URL and (with a point) /api/reach. */
export function wireFilters() {
  const { state } = page;
  $('minutes').addEventListener('change', (e) => {
    state.minutes = Number(e.target.value);
    writeUrl();
    refreshReach({ fit: true });
  });
  $('profiles').addEventListener('change', (e) => {
    if (e.target.name !== 'profile') return;
    state.profile = e.target.value;
    writeUrl();
    refreshReach();
  });
  const kindsChanged = () => {
    const chosen = checkedValues($('kinds'));
    state.kinds = chosen.length === KINDS.length ? null : new Set(chosen);
    updateKindSummary();
    writeUrl();
    applyTileFacilityState();
    renderLegend();
    if (state.point) refreshReach();
  };
  $('kinds').addEventListener('change', kindsChanged);
  for (const [id, on] of [['kinds-all', true], ['kinds-none', false]]) {
    $(id).addEventListener('click', () => {
      for (const i of document.querySelectorAll('#kinds input')) i.checked = on;
      kindsChanged();
    });
  }
  const activityFilter = (id, read) => $(id)?.addEventListener('change', (e) => {
    read(e.target);
    writeUrl();
    if (state.point) refreshReach();
  });
  activityFilter('category', (el) => { state.category = el.value || null; });
  activityFilter('weekday', (el) => { state.weekday = el.value ? Number(el.value) : null; });
  activityFilter('free', (el) => { state.free = el.checked; });
  // Open now: the places (by their opening hours) and the activities (going on now).
  activityFilter('open-now', (el) => { state.openNow = el.checked; });
  activityFilter('time-of-day', (el) => { state.timeOfDay = el.value || null; });
  activityFilter('access', () => {
    const chosen = new Set(checkedValues($('access')));
    state.accessibility = ACCESSIBILITY.filter((a) => chosen.has(a));
  });
  // The age applies when it is a whole number 0–120 (on change, or a moment after typing).
  let ageTimer;
  const ageChanged = () => {
    clearTimeout(ageTimer);
    const text = $('age').value.trim();
    const age = text === '' ? null : Number(text);
    if (age !== null && !(Number.isInteger(age) && age >= 0 && age <= 120)) {
      markAgeError(true);
      return;
    }
    markAgeError(false);
    if (age === state.age) return;
    state.age = age;
    writeUrl();
    if (state.point) refreshReach();
  };
  $('age')?.addEventListener('change', ageChanged);
  $('age')?.addEventListener('input', () => {
    clearTimeout(ageTimer);
    ageTimer = setTimeout(ageChanged, 600);
  });
  $('layers')?.addEventListener('change', () => {
    state.layers = new Set(checkedValues($('layers')));
    writeUrl();
    applyTileFacilityState();
    renderList();
    renderLegend();
    if (page.reach) setStatus(resultSummary());
  });
  // The residents' proposals: their own switch (on / by default, on /embed with proposals=1).
  $('layer-proposals')?.addEventListener('change', (e) => {
    state.proposals = e.target.checked;
    writeUrl();
    applyTileFacilityState();
    renderLegend();
    loadProposals();
  });
  // Nature: green areas, forest and water on the map (nature=1).
  wireNatureSwitch(() => {
    writeUrl();
    renderLegend();
  });
}
