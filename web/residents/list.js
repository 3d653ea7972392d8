// The list: everything the map shows, as text (the nearest nature (./nature.js), places by
// walking band, activities, volunteer needs; the proposals are ./proposals.js's), and the map's legend.

import { $, h, mark } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { listSection, listNav } from '../kit/list.js';
import { t, has, freeLang, formatDistance, weekdayName } from '../kit/i18n.js';
import { legendItem, fillLegend } from '../kit/legend.js';
import { KINDS } from '../kit/domain.js';
import { page, kindColour, showsProposals, markRows } from './context.js';
import { activityRow, needRow, nb } from './programme.js';
import { openHelpForm } from './help-form.js';
import { renderProposals } from './proposals.js';
import { hoursLine, hoursDetails, calendarLink } from './hours.js';
import { natureSection, natureLegendItems, natureRowOf } from './nature.js';
import {
  shownFacilities, hasProgramme, setStatus, kindLabel, selectFacility, selectProgramme,
} from './reach.js';

/** The band limits of the result (or the chosen minutes before there is one). */
function bandsOf() {
  const minutes = (page.reach?.bands?.features ?? []).map((f) => f.properties.minutes).sort((a, b) => a - b);
  return minutes.length ? minutes : [page.state.minutes];
}

export function renderList() {
  const holder = $('result-groups');
  if (!holder) return;
  renderProposals();
  const { reach } = page;
  if (!reach) {
    holder.replaceChildren();
    if (!page.reachError) setStatus(t('status.idle'));
    $('result-count').textContent = '';
    return;
  }
  const features = shownFacilities().features;
  const groups = [];
  let lower = 0;
  for (const upper of bandsOf()) {
    const items = features.filter((f) => f.properties.walk_seconds > lower * 60 && f.properties.walk_seconds <= upper * 60);
    groups.push({ lower, upper, items });
    lower = upper;
  }
  // walk_seconds of 0 (a facility at the origin) belongs in the first band
  const zero = features.filter((f) => f.properties.walk_seconds <= 0);
  if (zero.length) groups[0].items.unshift(...zero);

  const programme = hasProgramme();
  // Nature first: three rows, the nearest of each kind (./nature.js).
  const nodes = [natureSection(), ...(programme ? programmeSections() : [])].filter(Boolean);
  const places = h('section', { className: 'list-section' },
    h('h3', { id: 'list-places', tabIndex: -1, textContent: t('list.places', { count: features.length }) }),
    // «Åpen nå» said as places have it («åpent nå»; the activities' part says «pågår nå»).
    page.state.openNow ? h('p', { className: 'hint places-filters', textContent: t('list.filtered', { filters: t('filters.open_now_places_value') }) }) : null);
  places.append(...groups.map(({ lower: lo, upper, items }) => {
    const heading = lo === 0
      ? t('list.band_first', { upper, count: items.length })
      : t('list.band', { lower: lo, upper, count: items.length });
    const section = h('section', { className: 'band-group' }, h('h4', { id: `band-${upper}`, textContent: heading }));
    section.append(items.length
      ? h('ol', { className: 'result-list', 'aria-labelledby': `band-${upper}` }, items.map(facilityItem))
      : h('p', { className: 'empty', textContent: t('list.band_empty') }));
    return section;
  }));
  nodes.push(places);
  // Links to the list's parts (activities, volunteer needs, places): the list is long.
  if (nodes.length > 1) nodes.unshift(listNav(nodes, t('list.nav')));
  holder.replaceChildren(...nodes);
  $('result-count').textContent = t('list.count', { count: features.length });
  if (page.selected) markSelected(page.selected, false);
}

/** The activities and the volunteer needs of the result, each its own part of the list. */
function programmeSections() {
  const { state, reach } = page;
  const out = [];
  if (state.layers.has('activities')) {
    const features = reach.activities.features;
    const filters = activityFilterSummary();
    out.push(listSection('list-section list-activities', 'list-activities', t('list.activities', { count: features.length }),
      [filters ? h('p', { className: 'hint list-filters', textContent: t('list.filtered', { filters }) }) : null, calendarLink(state)],
      features.map((f) => activityRow(f, { onSelect: (id) => selectProgramme('activity', id, { from: 'list' }) })),
      t(filters ? 'list.activities_none_filtered' : 'list.activities_none')));
  }
  if (state.layers.has('volunteers')) {
    const features = reach.volunteer_needs.features;
    out.push(listSection('list-section list-volunteers', 'list-volunteers', t('list.volunteers', { count: features.length }),
      h('p', { className: 'hint', textContent: t('list.volunteers_intro') }),
      features.map((f) => needRow(f, {
        onSelect: (id) => selectProgramme('need', id, { from: 'list' }),
        onHelp: (need, button) => openHelpForm(need, button),
      })),
      t('list.volunteers_none')));
  }
  return out;
}

/** The activity filters in force, as words («Musikk, 10 år, tirsdag, gratis»), or ''. */
function activityFilterSummary() {
  const { state } = page;
  const parts = [];
  if (state.category) parts.push(has(`categories.${state.category}`) ? t(`categories.${state.category}`) : state.category);
  if (state.age != null) parts.push(t('filters.age_value', { age: String(state.age) }));
  if (state.weekday != null) parts.push(weekdayName(state.weekday));
  if (state.timeOfDay) parts.push(t(`filters.time_of_day_value.${state.timeOfDay}`));
  if (state.free) parts.push(t('filters.free_value'));
  for (const a of state.accessibility) parts.push(t(`accessibility.${a}`));
  if (state.openNow) parts.push(t('filters.open_now_value'));
  return parts.join(', ');
}

function facilityItem(f) {
  const p = f.properties;
  const name = p.name || t('list.unnamed', { kind: kindLabel(p.kind) });
  return h('li', { className: 'result', dataset: { id: String(f.id) } },
    mark('kind-dot', kindColour(p.kind)),
    h('div', { className: 'result-body' },
      h('span', { className: 'result-kind', textContent: kindLabel(p.kind) }),
      h('button', {
        type: 'button', className: 'result-name', lang: p.name ? freeLang() : null,
        textContent: name,
        on: { click: () => selectFacility(f.id, { from: 'list' }) },
      }),
      hoursLine(p),
      h('span', { className: 'result-meta' }, ...[formatDistance(p.distance_m), p.district && nb(p.district), p.address && nb(p.address)]
        .filter(Boolean).flatMap((part, i) => (i ? [' · ', part] : [part]))),
      hoursDetails(f, name),
      hubLink(f, name)),
    h('span', {
      className: 'result-minutes', textContent: t('list.minutes', { count: p.walk_minutes }), dataset: { minutes: String(p.walk_minutes) },
    }));
}

/** A knutepunkt's own page (/knutepunkt/{id}: services, hours, this week), named by its place. */
function hubLink(f, name) {
  if (f.properties.kind !== 'community_centre') return null;
  const q = new URLSearchParams();
  if (page.state.lang && page.state.lang !== 'nb') q.set('lang', page.state.lang);
  if (page.state.contrast === 'high') q.set('contrast', 'high');
  const query = q.toString();
  return h('a', { className: 'result-hub-link', href: at(`/knutepunkt/${encodeURIComponent(f.id)}${query ? `?${query}` : ''}`),
    target: page.mode === 'embed' ? '_top' : null, style: { alignSelf: 'flex-start', fontSize: '.9rem' } },
    t('list.hub_page'), h('span', { className: 'visually-hidden' }, ': ', h('span', { lang: f.properties.name ? freeLang() : null, textContent: name })));
}

const ROW_ATTRIBUTE = { facility: 'data-id', activity: 'data-activity-id', need: 'data-need-id', nature: 'data-nature-id' };

/** Highlights the rows of `item` (or of several items: `ids`); returns the first row. */
export function markSelected(item, scroll, ids = [item.id]) {
  // A nature area may have two rows (the nearest of its class, the nearest that counts): the one chosen.
  const rows = (item.type === 'nature' ? [natureRowOf(item)]
    : ids.map((id) => document.querySelector(`.result[${ROW_ATTRIBUTE[item.type]}="${CSS.escape(String(id))}"]`)))
    .filter(Boolean);
  markRows(rows);
  if (scroll && rows[0]) rows[0].scrollIntoView({ block: 'nearest' });
  return rows[0] ?? null;
}

/** The legend: the bands of the result, the activities and needs, and the colours of the kinds, as text. */
export function renderLegend() {
  const bandsEl = $('legend-bands');
  if (!bandsEl) return;
  const { state } = page;
  const minutes = page.reach && state.layers.has('bands') ? bandsOf() : [];
  const bands = fillLegend(bandsEl, minutes.map((m, i) => legendItem(`swatch swatch-band swatch-band-${Math.min(i, 2)}`,
    t('legend.band', { minutes: m }))));

  // Kinds that share a colour share a line.
  const groups = new Map();
  for (const k of KINDS) {
    if (state.kinds && !state.kinds.has(k)) continue;
    const colour = kindColour(k);
    if (!groups.has(colour)) groups.set(colour, []);
    groups.get(colour).push(kindLabel(k));
  }
  const showKinds = state.layers.has('facilities') && Object.keys(page.kindColours).length > 0;
  const kinds = fillLegend($('legend-kinds'), (showKinds ? [...groups] : [])
    .map(([colour, labels]) => legendItem('kind-dot', labels.join(', '), colour)));

  // Activities (rings) and volunteer needs (yellow dots), when the result has them.
  const entries = [];
  if (hasProgramme()) {
    if (state.layers.has('activities')) entries.push(legendItem('legend-activity', t('legend.activity')));
    if (state.layers.has('volunteers')) entries.push(legendItem('legend-need', t('legend.volunteer')));
  }
  if (showsProposals()) entries.push(legendItem('legend-proposal', t('legend.proposal')));
  const programme = fillLegend($('legend-programme'), entries);
  const nature = fillLegend($('legend-nature'), natureLegendItems());
  $('legend').hidden = !bands && !kinds && !programme && !nature;
}
