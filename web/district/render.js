// The profile drawn from the API's answers: the heading (name, level, the district above and
// the ones inside as links), the key figures, what stands out, coverage, facilities and
// activities as tables, open volunteer needs and the knutepunkt. With a district to compare
// with, every part gets a second column (or block) for it.

import { $, h } from '../kit/dom.js';
import { t, formatList, formatDate } from '../kit/i18n.js';
import { CATEGORIES } from '../kit/domain.js';
import { page } from './context.js';
import { profileHref } from './url.js';
import { dataTable } from './table.js';
import {
  fmtInt, fmtShare, pointsBetween, fmtSigned, fmtPer1000, fmtArea, residents, levelName, headingOf,
  apiLabel, referenceName,
} from './format.js';

/** Differences of at least this many percentage points stand out. */
const STANDOUT_POINTS = 5;
const STANDOUT_MAX = 4;

/** The districts shown, this one first: [{ key: 'main'|'compare', p: profile body }]. */
const shown = () => [{ key: 'main', p: page.profile }, { key: 'compare', p: page.compare }].filter((x) => x.p);
const nameOf = (p) => p.district.name ?? p.district.id;
const profileWords = () => t(`profile_short.${page.profile.profile}`);

export function renderAll() {
  renderIdentity();
  renderFigures();
  renderStandout();
  renderCoverage();
  renderFacilities();
  renderActivities();
  renderNeeds();
  renderKnutepunkt();
  $('source').textContent = t('source.text', { attribution: page.profile.attribution });
  $('print-line').textContent = t('print.line', {
    date: formatDate(new Date().toISOString().slice(0, 10)), url: location.href,
  });
}

function renderIdentity() {
  const d = page.profile.district;
  const { state } = page;
  $('page-heading').textContent = headingOf(d);
  document.title = t('page.title', { heading: headingOf(d) });
  const parentLine = $('parent-line');
  if (d.parent) {
    parentLine.replaceChildren(t('parent.part_of'), ' ',
      h('a', { href: profileHref(d.parent.id, state), textContent: d.parent.name ?? d.parent.id, id: 'parent-link' }),
      ` (${levelName(d.parent.level).toLocaleLowerCase(document.documentElement.lang || 'nb')})`);
  }
  parentLine.hidden = !d.parent;
  const children = $('children');
  if (d.children.length) {
    const level = levelName(d.children[0].level).toLocaleLowerCase(document.documentElement.lang || 'nb');
    children.replaceChildren(
      h('p', { id: 'children-heading', className: 'children-heading', textContent: t('children.heading', { count: d.children.length, level }) }),
      h('ul', { className: 'children-list', 'aria-labelledby': 'children-heading' },
        d.children.map((c) => h('li', {}, h('a', { href: profileHref(c.id, state), textContent: c.name ?? c.id, dataset: { id: c.id } })))),
    );
  }
  children.hidden = !d.children.length;
}

function figureRow(key, label, value, text, extra) {
  return [h('dt', { textContent: label }), h('dd', { dataset: { key, value: value == null ? '' : String(value) } }, text, extra ?? null)];
}

function renderFigures() {
  const notes = new Set();
  const blocks = shown().map(({ key, p }) => {
    const d = p.district;
    const people = residents(d);
    if (people.kind === 'suppressed') notes.add(t('figures.suppressed_note'));
    if (people.kind === 'own_sum') notes.add(t('figures.own_sum_note'));
    const density = d.area_km2 > 0 ? Math.round(d.addresses / d.area_km2) : null;
    return h('section', { className: `figure-block block-${key}`, dataset: { district: d.id }, 'aria-labelledby': `figures-${key}` },
      h('h3', { id: `figures-${key}`, textContent: nameOf(p) }),
      h('dl', { className: 'figures' },
        figureRow('residents', t('figures.residents'), d.suppressed ? null : d.population, people.text,
          people.kind === 'own_sum' ? h('span', { className: 'mark', textContent: ` ${t('figures.own_sum_mark')}` }) : null),
        figureRow('addresses', t('figures.addresses'), d.addresses, fmtInt(d.addresses)),
        figureRow('area', t('figures.area'), d.area_km2, fmtArea(d.area_km2)),
        figureRow('density', t('figures.density'), density, density == null ? t('common.none') : fmtInt(density))));
  });
  $('figures').replaceChildren(...blocks);
  $('figures-note').textContent = [...notes].join(' ');
  $('figures-note').hidden = !notes.size;
}

/** `{ kind, label, pp }` of the kinds where `a` and `b` differ by STANDOUT_POINTS or more. */
function differences(rows, share, other) {
  return rows.map((r) => ({ kind: r.kind, label: apiLabel(r, 'kind'), pp: pointsBetween(share(r), other(r)) }))
    .filter((x) => x.pp != null && Math.abs(x.pp) >= STANDOUT_POINTS);
}

function standoutLine(text, items) {
  return h('li', {}, text, ' ', formatList(items.map((x) => t('standout.item', { kind: x.label, points: fmtSigned(x.pp) }))));
}

function renderStandout() {
  const p = page.profile;
  const reference = referenceName(p.reference, { inSentence: true });
  const diffs = differences(p.coverage, (r) => r.share, (r) => r.reference_share);
  const above = diffs.filter((x) => x.pp > 0).sort((a, b) => b.pp - a.pp).slice(0, STANDOUT_MAX);
  const below = diffs.filter((x) => x.pp < 0).sort((a, b) => a.pp - b.pp).slice(0, STANDOUT_MAX);
  const lines = [];
  if (above.length) lines.push(standoutLine(t('standout.above', { reference }), above));
  if (below.length) lines.push(standoutLine(t('standout.below', { reference }), below));
  if (!lines.length) lines.push(h('li', { textContent: t('standout.none', { reference, points: STANDOUT_POINTS }) }));
  if (page.compare) {
    const other = new Map(page.compare.coverage.map((r) => [r.kind, r.share]));
    const vs = differences(p.coverage, (r) => r.share, (r) => other.get(r.kind))
      .sort((a, b) => Math.abs(b.pp) - Math.abs(a.pp)).slice(0, STANDOUT_MAX);
    const name = nameOf(page.compare);
    lines.push(vs.length ? standoutLine(t('standout.versus', { other: name }), vs)
      : h('li', { textContent: t('standout.versus_none', { other: name, points: STANDOUT_POINTS }) }));
  }
  $('standout').replaceChildren(
    h('p', { textContent: t('standout.intro', { name: nameOf(p), minutes: p.minutes, profile: profileWords() }) }),
    h('ul', { className: 'standout-list' }, lines));
}

function pointsCell(share, reference) {
  const pp = pointsBetween(share, reference);
  if (pp == null) return { text: t('common.none'), value: null };
  const value = fmtSigned(pp);
  return {
    text: t('coverage.points', { value }), sr: t('coverage.points_sr', { value }), value: pp,
    className: pp > 0 ? 'up' : pp < 0 ? 'down' : 'same',
  };
}

function shareCell(share) {
  return { text: share == null ? t('coverage.no_addresses') : fmtShare(share), value: share };
}

function renderCoverage() {
  const p = page.profile;
  const refName = referenceName(p.reference);
  const groups = [
    ...shown().map(({ key, p: x }) => ({
      key, label: nameOf(x),
      cols: [{ key: 'share', label: t('coverage.share') }, { key: 'diff', label: t('coverage.diff', { reference: referenceName(p.reference, { inSentence: true }) }) }],
    })),
    { key: 'reference', label: refName, cols: [{ key: 'share', label: t('coverage.share') }] },
  ];
  const compare = new Map((page.compare?.coverage ?? []).map((r) => [r.kind, r]));
  const rows = p.coverage.map((r) => {
    const cells = {
      'main-share': shareCell(r.share),
      'main-diff': pointsCell(r.share, r.reference_share),
      'reference-share': shareCell(r.reference_share),
    };
    if (page.compare) {
      const c = compare.get(r.kind);
      cells['compare-share'] = shareCell(c?.share ?? null);
      cells['compare-diff'] = pointsCell(c?.share ?? null, r.reference_share);
    }
    return { key: r.kind, label: apiLabel(r, 'kind'), cells };
  });
  const names = formatList([...shown().map(({ p: x }) => nameOf(x)), referenceName(p.reference, { inSentence: true })]);
  const notes = [t('coverage.note', { reference: referenceName(p.reference, { inSentence: true }) })];
  if (p.reference.id == null) notes.push(t('reference.area_served_note'));
  $('coverage').replaceChildren(p.coverage.length
    ? dataTable({
      id: 'coverage-table', rowHeader: t('coverage.kind'), groups, rows, footnote: notes.join(' '),
      caption: t('coverage.caption', { minutes: p.minutes, profile: profileWords(), names }),
    })
    : h('p', { className: 'empty', textContent: t('coverage.unavailable') }));
}

function renderFacilities() {
  const p = page.profile;
  const refName = referenceName(p.reference);
  const all = shown().flatMap(({ p: x }) => x.facilities);
  const per1000 = all.some((r) => r.per_1000 != null || r.reference_per_1000 != null);
  const cols = [{ key: 'count', label: per1000 ? t('facilities.count') : null }];
  if (per1000) cols.push({ key: 'per_1000', label: t('facilities.per_1000') });
  const groups = [
    ...shown().map(({ key, p: x }) => ({ key, label: nameOf(x), cols })),
    { key: 'reference', label: refName, cols },
  ];
  const compare = new Map((page.compare?.facilities ?? []).map((r) => [r.kind, r]));
  const rows = p.facilities.map((r) => {
    const c = compare.get(r.kind);
    const cells = {
      'main-count': { text: fmtInt(r.count), value: r.count },
      'main-per_1000': { text: fmtPer1000(r.per_1000), value: r.per_1000 },
      'reference-count': { text: fmtInt(r.reference_count), value: r.reference_count },
      'reference-per_1000': { text: fmtPer1000(r.reference_per_1000), value: r.reference_per_1000 },
    };
    if (page.compare) {
      cells['compare-count'] = { text: fmtInt(c?.count ?? 0), value: c?.count ?? 0 };
      cells['compare-per_1000'] = { text: fmtPer1000(c?.per_1000 ?? null), value: c?.per_1000 ?? null };
    }
    return { key: r.kind, label: apiLabel(r, 'kind'), cells };
  });
  const names = formatList([...shown().map(({ p: x }) => nameOf(x)), referenceName(p.reference, { inSentence: true })]);
  $('facilities').replaceChildren(dataTable({
    id: 'facilities-table', rowHeader: t('facilities.kind'), groups, rows,
    caption: t('facilities.caption', { names }),
    footnote: per1000 ? t('facilities.per_1000_note') : t('facilities.no_per_1000'),
  }));
}

function renderActivities() {
  const list = shown();
  const byKey = list.map(({ p: x }) => new Map(x.activities.map((a) => [a.category, a])));
  const known = new Map(list.flatMap(({ p: x }) => x.activities.map((a) => [a.category, a])));
  const order = [...CATEGORIES.filter((c) => known.has(c)), ...[...known.keys()].filter((c) => !CATEGORIES.includes(c))];
  if (!order.length) {
    $('activities').replaceChildren(h('p', { className: 'empty', textContent: t('activities.none', { names: formatList(list.map(({ p: x }) => nameOf(x))) }) }));
    return;
  }
  const cols = [{ key: 'activities', label: t('activities.count') }, { key: 'sessions', label: t('activities.sessions') }];
  const groups = list.map(({ key, p: x }) => ({ key, label: nameOf(x), cols }));
  const rows = order.map((c) => {
    const cells = {};
    list.forEach(({ key }, i) => {
      const a = byKey[i].get(c);
      cells[`${key}-activities`] = { text: fmtInt(a?.activities ?? 0), value: a?.activities ?? 0 };
      cells[`${key}-sessions`] = { text: fmtInt(a?.sessions_per_week ?? 0), value: a?.sessions_per_week ?? 0 };
    });
    return { key: c, label: apiLabel(known.get(c), 'category'), cells };
  });
  $('activities').replaceChildren(dataTable({
    id: 'activities-table', rowHeader: t('activities.category'), groups, rows,
    caption: t('activities.caption', { names: formatList(list.map(({ p: x }) => nameOf(x))) }),
    footnote: t('activities.note'),
  }));
}

function renderNeeds() {
  $('needs').replaceChildren(...shown().map(({ key, p }) => {
    const { open, items } = p.needs;
    const more = open - items.length;
    return h('section', { className: `list-block block-${key}`, dataset: { district: p.district.id }, 'aria-labelledby': `needs-${key}` },
      h('h3', { id: `needs-${key}`, textContent: nameOf(p) }),
      h('p', { className: 'count', dataset: { value: String(open) }, textContent: open ? t('needs.count', { count: open }) : t('needs.none') }),
      items.length ? h('ul', {}, items.map((n) => h('li', { dataset: { id: String(n.id) } },
        n.title, ' ', h('span', { className: 'until', textContent: t('needs.until', { date: formatDate(n.valid_until) }) })))) : null,
      more > 0 ? h('p', { className: 'hint', textContent: t('needs.more', { count: more }) }) : null);
  }));
}

function renderKnutepunkt() {
  $('knutepunkt').replaceChildren(...shown().map(({ key, p }) => h('section',
    { className: `list-block block-${key}`, dataset: { district: p.district.id }, 'aria-labelledby': `knutepunkt-${key}` },
    h('h3', { id: `knutepunkt-${key}`, textContent: nameOf(p) }),
    p.knutepunkt.length
      ? h('ul', {}, p.knutepunkt.map((k) => h('li', { dataset: { id: String(k.id) }, textContent: k.name || t('knutepunkt.unnamed') })))
      : h('p', { className: 'empty', textContent: t('knutepunkt.none') }))));
}
