// The planners' numbers as a table (sortable by keyboard: header buttons with aria-sort; a
// button per district that opens the areas inside it), a bar chart in HTML, the totals, and the
// CSV links (the API's, and the scenario's own).

import { $, h } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, currentLocale, currentLanguage } from '../kit/i18n.js';
import { page } from './context.js';
import { writeUrl, coverageQuery } from './url.js';
import { fmtInt, fmtShare, fmtMinutes, fmtPoints } from './format.js';
import { questionLabel, questionHint } from './nature.js';
import { canDrill, levelName, parentFeature, parentName, viewLabel } from './levels.js';
import { drillInto } from './drill.js';
import { openAtExplanation, openAtCounts } from './open-at.js';
import { hectares } from './areas.js';

/** The walking time of WHO's guideline (a green area of 0.5 ha within 300 m): about 5 minutes. */
export const WHO_MINUTES = 5;

/** The scenario's totals (before and after) for the place shown: the whole area, or the parent. */
export function totals() {
  const { coverage, scenario } = page;
  if (!coverage) return { before: null, after: null };
  if (!scenario) return { before: coverage.total, after: null };
  if (!coverage.parent_id) return { before: coverage.total, after: scenario.after.total };
  // Inside a parent: the parent's own row at its level, before and after, from the same answer.
  const at = scenario.levels?.find((l) => l.level === parentFeature()?.properties?.level);
  const find = (side) => side?.districts?.find((d) => d.district_id === coverage.parent_id) ?? null;
  return { before: find(at?.before) ?? coverage.total, after: find(at?.after) };
}

/** One row per district: the numbers now and, in a scenario, after. */
export function rows() {
  const { coverage, scenario } = page;
  if (!coverage) return [];
  // Inside a parent, /api/coverage counts only the addresses inside it (a district on the
  // parent's border has fewer there than on its own), and the scenario API has no parent: in a
  // scenario the table then takes before and after from the scenario's answer, so that they
  // are counted alike.
  const inside = coverage.parent_id;
  const base = scenario && inside ? scenario.before.districts.filter((d) => d.parent_id === inside) : coverage.districts;
  const after = new Map((scenario?.after.districts ?? []).map((d) => [d.district_id, d]));
  const drill = canDrill();
  const other = t(inside ? 'table.other_in' : 'table.other', { parent: parentName() });
  return base.map((d) => {
    const a = scenario ? after.get(d.district_id) : null;
    return {
      id: d.district_id,
      district: d.district_id == null ? other : d.district ?? d.district_id,
      addresses: d.addresses,
      covered: d.covered,
      share: d.addresses > 0 ? d.share : null,
      covered_after: a ? a.covered : null,
      share_after: a && a.addresses > 0 ? a.share : null,
      change: a && d.addresses > 0 ? a.share - d.share : null,
      median_s: d.median_s,
      p90_s: d.p90_s,
      median_after: a ? a.median_s : null,
      p90_after: a ? a.p90_s : null,
      unreachable: d.unreachable ?? null,
      population: d.population,
      resident_share: d.resident_share,
      population_sum: Boolean(d.population_sum),
      suppressed: Boolean(d.suppressed),
      drill: drill && d.district_id != null,
    };
  });
}

function columns() {
  const { coverage, scenario } = page;
  const withPopulation = [...(coverage?.districts ?? []), coverage?.total ?? {}].some((d) => d.population != null || d.suppressed);
  // Homes the walking network does not connect: a column only when there are some.
  const withUnreachable = [...(coverage?.districts ?? []), coverage?.total ?? {}].some((d) => d.unreachable > 0);
  const cols = [
    { key: 'district', label: 'table.district', text: coverage?.level ? levelName(coverage.level) : null, type: 'text' },
    { key: 'addresses', label: 'table.addresses', type: 'int' },
    { key: 'covered', label: 'table.covered', type: 'int' },
    { key: 'share', label: scenario ? 'table.share_before' : 'table.share', type: 'share' },
  ];
  if (scenario) {
    cols.push({ key: 'covered_after', label: 'table.covered_after', type: 'int' },
      { key: 'share_after', label: 'table.share_after', type: 'share' },
      { key: 'change', label: 'table.change', type: 'points' });
  }
  // In a scenario the walking times change too: today's and after, side by side.
  if (scenario) {
    cols.push({ key: 'median_s', label: 'table.median_before', type: 'minutes' },
      { key: 'median_after', label: 'table.median_after', type: 'minutes' },
      { key: 'p90_s', label: 'table.p90_before', type: 'minutes' },
      { key: 'p90_after', label: 'table.p90_after', type: 'minutes' });
  } else {
    cols.push({ key: 'median_s', label: 'table.median', type: 'minutes' },
      { key: 'p90_s', label: 'table.p90', type: 'minutes' });
  }
  if (withUnreachable) cols.push({ key: 'unreachable', label: 'table.unreachable', type: 'int' });
  if (withPopulation) {
    cols.push({ key: 'population', label: 'table.population', type: 'int' },
      { key: 'resident_share', label: 'table.resident_share', type: 'share' });
  }
  return cols;
}

const FORMATS = { int: fmtInt, share: fmtShare, minutes: fmtMinutes, points: fmtPoints };

function format(col, v) {
  if (v == null || (typeof v === 'number' && !Number.isFinite(v))) return t('table.none');
  return (FORMATS[col.type] ?? String)(v);
}

const heading = (col) => col.text ?? t(col.label);

/** A number cell's content: residents' figures withheld (« < 10 »), our own sums marked. */
function cell(col, r) {
  const value = r[col.key];
  if (r.suppressed && col.key === 'population') {
    return [h('span', { 'aria-hidden': 'true', textContent: t('table.suppressed') }),
      h('span', { className: 'visually-hidden', textContent: t('table.suppressed_sr') })];
  }
  if (r.suppressed && col.key === 'resident_share') return [t('table.withheld')];
  const text = format(col, value);
  if (r.population_sum && col.key === 'population' && value != null) {
    return [text, h('sup', { className: 'own-sum', 'aria-hidden': 'true', textContent: t('table.own_sum_mark') }),
      h('span', { className: 'visually-hidden', textContent: ` (${t('table.own_sum')})` })];
  }
  return [text];
}

function sorted(list) {
  const { sort } = page.state;
  const cols = columns();
  const col = cols.find((c) => c.key === sort.key) ?? cols[0];
  const dir = sort.dir === 'desc' ? -1 : 1;
  const collator = new Intl.Collator(currentLocale(), { numeric: true });
  return [...list].sort((a, b) => {
    if ((a.id == null) !== (b.id == null)) return a.id == null ? 1 : -1; // the addresses in no area last
    const x = a[col.key], y = b[col.key];
    const xn = x == null || (typeof x === 'number' && !Number.isFinite(x));
    const yn = y == null || (typeof y === 'number' && !Number.isFinite(y));
    if (xn || yn) return xn === yn ? collator.compare(a.district, b.district) : xn ? 1 : -1; // empty last
    const c = col.type === 'text' ? collator.compare(x, y) : x - y;
    return c !== 0 ? dir * c : collator.compare(a.district, b.district);
  });
}

let headKey = '';

function renderTableHead(cols) {
  const { state } = page;
  const key = `${cols.map((c) => `${c.key}:${heading(c)}`).join(',')}|${currentLanguage()}`;
  const head = $('table-head');
  if (key !== headKey) {
    headKey = key;
    head.replaceChildren(...cols.map((c) => h('th', { scope: 'col', className: c.type !== 'text' ? 'num' : null, dataset: { key: c.key } },
      h('button', { type: 'button', className: 'sort', dataset: { key: c.key }, on: { click: () => sortBy(c.key) } },
        h('span', { textContent: heading(c) }),
        h('span', { className: 'sort-icon', 'aria-hidden': 'true' })))));
  }
  if (!cols.some((c) => c.key === state.sort.key)) state.sort = { key: 'district', dir: 'asc' };
  for (const th of head.children) {
    const on = th.dataset.key === state.sort.key;
    if (on) th.setAttribute('aria-sort', state.sort.dir === 'asc' ? 'ascending' : 'descending');
    else th.removeAttribute('aria-sort');
    th.querySelector('.sort-icon').textContent = on ? (state.sort.dir === 'asc' ? '▲' : '▼') : '↕';
  }
}

function sortBy(key) {
  const { state } = page;
  const col = columns().find((c) => c.key === key);
  if (!col) return;
  if (state.sort.key === key) state.sort.dir = state.sort.dir === 'asc' ? 'desc' : 'asc';
  else state.sort = { key, dir: 'asc' };
  writeUrl();
  renderTable();
  renderChart();
  $('sort-status').textContent = t(state.sort.dir === 'asc' ? 'table.sorted_ascending' : 'table.sorted_descending',
    { column: heading(col) });
}

/**
 * A table row: the district as a row header (with a button that opens the areas inside it),
 * the numbers with their raw value in data-value.
 */
function tableRow(cols, r) {
  return h('tr', {}, cols.map((c) => {
    const value = r[c.key];
    if (c.key === 'district') {
      const th = h('th', { scope: 'row', dataset: { key: c.key } }, h('span', { className: 'district-name', textContent: r.district }));
      if (r.drill) {
        th.append(h('button', {
          type: 'button', className: 'drill small', dataset: { districtId: r.id },
          'aria-label': t('drill.show', { name: r.district }),
          on: { click: () => drillInto(r.id) },
        }, t('drill.show_short')));
      }
      if (r.id != null) {
        // The district's printable profile, in the page's language.
        const lang = currentLanguage();
        th.append(h('a', {
          className: 'profile small', href: at(`/omrade/${encodeURIComponent(r.id)}${lang === 'nb' ? '' : `?lang=${lang}`}`),
          'aria-label': t('drill.profile', { name: r.district }),
        }, t('drill.profile_short')));
      }
      return th;
    }
    return h('td', {
      className: c.type !== 'text' ? 'num' : null,
      dataset: value != null && typeof value === 'number' ? { value: String(value), key: c.key } : { key: c.key },
    }, cell(c, r));
  }));
}

export function renderTable() {
  const { state, coverage, scenario } = page;
  const cols = columns();
  renderTableHead(cols);
  $('table-caption').textContent = t('table.caption', {
    kind: questionLabel(), minutes: state.minutes, profile: t(`profile_short.${state.profile}`), level: viewLabel(),
  });
  $('table-body').replaceChildren(...sorted(rows()).map((r) => {
    const tr = tableRow(cols, r);
    tr.dataset.districtId = r.id ?? '';
    if (r.change > 0) tr.classList.add('improved');
    if (r.change < 0) tr.classList.add('worse');
    return tr;
  }));
  const foot = $('table-foot');
  renderNotes(cols);
  if (!coverage) {
    foot.replaceChildren();
    return;
  }
  const { before: tot, after } = totals();
  foot.replaceChildren(tableRow(cols, {
    district: coverage.parent_id ? t('table.total_in', { parent: parentName() }) : t('table.total'),
    addresses: tot.addresses, covered: tot.covered, share: tot.share,
    covered_after: after?.covered ?? null, share_after: after?.share ?? null,
    change: after ? after.share - tot.share : null, median_s: tot.median_s, p90_s: tot.p90_s,
    median_after: after?.median_s ?? null, p90_after: after?.p90_s ?? null, unreachable: tot.unreachable ?? null,
    population: tot.population, resident_share: tot.resident_share,
    population_sum: Boolean(tot.population_sum), suppressed: Boolean(tot.suppressed),
  }));
}

/** The notes below the table: what « < 10 » and the sum mark mean, when the table has them. */
function renderNotes(cols) {
  const { coverage } = page;
  const shown = cols.some((c) => c.key === 'population') ? [...rows(), ...(coverage ? [coverage.total] : [])] : [];
  const notes = [];
  if (shown.some((r) => r.suppressed)) notes.push(t('table.note_suppressed'));
  if (shown.some((r) => r.population_sum && r.population != null)) notes.push(t('table.note_own_sum'));
  $('table-notes').replaceChildren(...notes.map((text) => h('p', { className: 'hint', textContent: text })));
  $('table-notes').hidden = !notes.length;
}

export function renderChart() {
  const { scenario } = page;
  $('chart-hint').textContent = t(scenario ? 'chart.hint_scenario' : 'chart.hint');
  const bar = (cls, v) => h('span', { className: `bar ${cls}`, style: { width: `${Math.max(0, Math.min(1, v ?? 0)) * 100}%` } });
  $('chart').replaceChildren(...sorted(rows()).map((r) => h('li', { dataset: { districtId: r.id ?? '' } },
    h('span', { className: 'bar-name', textContent: r.district }),
    h('span', { className: scenario ? 'bar-track two' : 'bar-track', 'aria-hidden': 'true' },
      scenario ? [bar('before', r.share), bar('after', r.share_after)] : bar('now', r.share)),
    h('span', {
      className: 'bar-value',
      textContent: scenario ? t('chart.before_after', { before: fmtShare(r.share), after: fmtShare(r.share_after) }) : fmtShare(r.share),
    }))));
}

/**
 * Which way the changed addresses' walks went: a new area or facility only shortens walks, a
 * closed facility only lengthens them; both at once, either. The API's own counts
 * (`addresses_shorter`, `addresses_longer`) when it sends them.
 */
export function changedWay(scenario) {
  const changed = scenario.addresses_changed ?? 0;
  if (!changed) return 'none';
  const { addresses_shorter: shorter, addresses_longer: longer } = scenario;
  if (Number.isFinite(shorter) && Number.isFinite(longer)) {
    return longer === 0 ? 'shorter' : shorter === 0 ? 'longer' : 'either';
  }
  const r = scenario.request ?? {};
  const added = (r.add_areas?.length ?? 0) + (r.add?.length ?? 0) > 0;
  const removed = (r.remove?.length ?? 0) > 0;
  return added && removed ? 'either' : removed ? 'longer' : 'shorter';
}

/** The scenario's result in words (also what is announced). */
export function scenarioResult() {
  const { scenario, coverage, state } = page;
  const { before, after: a } = totals();
  if (!a) return '';
  const changed = scenario.addresses_changed ?? 0;
  const moved = t(`scenario.${coverage.parent_id ? 'changed_in_all' : 'changed'}.${changedWay(scenario)}`, { count: changed, n: fmtInt(changed) });
  return t(coverage.parent_id ? 'scenario.result_in' : 'scenario.result', {
    covered: fmtInt(a.covered), addresses: fmtInt(a.addresses), share: fmtShare(a.share), minutes: state.minutes,
    change: fmtPoints(a.share - before.share), changed: moved, parent: parentName(),
  });
}

export function renderTotals() {
  const { state, coverage, scenario } = page;
  const box = $('totals');
  box.replaceChildren();
  if (!coverage) return;
  const tot = coverage.total;
  box.append(h('p', {
    className: 'summary',
    textContent: t(coverage.parent_id ? 'results.summary_in' : 'results.summary', {
      kind: questionLabel(), minutes: state.minutes, profile: t(`profile_short.${state.profile}`),
      covered: fmtInt(tot.covered), addresses: fmtInt(tot.addresses), share: fmtShare(tot.share), parent: parentName(),
    }),
  }));
  const explained = openAtExplanation();
  if (explained) box.append(h('p', { id: 'open-at-explained', className: 'open-at-explained', textContent: explained }));
  const counts = openAtCounts();
  if (counts) {
    const c = coverage.open_at_facilities;
    box.append(h('p', {
      id: 'open-at-counts', textContent: counts,
      dataset: { open: String(c.open), closed: String(c.closed), unknown: String(c.unknown), unknownCountedAs: c.unknown_counted_as },
    }));
  }
  if (tot.unreachable > 0) {
    box.append(h('p', { id: 'unreachable-note', textContent: t('results.unreachable', { count: tot.unreachable, n: fmtInt(tot.unreachable) }) }));
  }
  if (tot.suppressed) box.append(h('p', { textContent: t('results.residents_suppressed') }));
  else if (tot.population != null && tot.residents_covered != null) {
    const own = tot.population_sum ? ` ${t('results.own_sum')}` : '';
    box.append(h('p', {
      textContent: t('results.residents', {
        covered: fmtInt(tot.residents_covered), population: fmtInt(tot.population), share: fmtShare(tot.resident_share),
      }) + own,
    }));
  }
  const result = scenario ? scenarioResult() : '';
  if (result) box.append(h('p', { className: 'summary scenario-summary', textContent: result }));
}

export function renderQuestionLinks() {
  const { state } = page;
  const hint = questionHint();
  $('kind-hint').textContent = hint;
  $('kind-hint').hidden = !hint;
  // WHO's green area within 300 m is about 5 minutes: offered beside the hint when other
  // minutes are asked, never set without the planner's word.
  const who = $('who-minutes');
  if (who) {
    who.textContent = t('question.who_target', { minutes: WHO_MINUTES });
    who.hidden = !(state.nature === 'green' && state.minutes !== WHO_MINUTES);
  }
  $('csv-link').href = at(`/api/coverage?${coverageQuery({ format: 'csv' })}`);
  $('csv-link').download = csvName('coverage');
}

/**
 * A downloaded table's file name: what (`coverage`, `scenario`), the question, the minutes, the
 * profile and where («coverage-nature-green-5min-walk-bydel.csv»).
 */
export function csvName(what, { openAt = true } = {}) {
  const { state } = page;
  const where = [state.level, state.parent, openAt && !state.nature && state.openAt && `open-${state.openAt}`,
    openAt && !state.nature && state.openAt && state.unknownHours === 'closed' && 'unknown-closed'].filter(Boolean).map((x) => `-${x}`).join('');
  const question = state.nature ? `nature-${state.nature}` : state.kind.replace(/,/g, '-');
  return `${what}-${question}-${state.minutes}min-${state.profile}${where}.csv`.replace(/[^\w.-]+/g, '_');
}

/**
 * What the scenario asked, for its CSV: the question (as the coverage CSV says it: `kind`,
 * `nature`), the minutes, the profile, the level and parent, and the changes (the new areas'
 * sizes in ha, the proposed facilities' points, the closed facilities' ids), the same on every row.
 */
function scenarioAbout() {
  const { state, coverage, scenario } = page;
  const r = scenario.request ?? {};
  const rings = (r.add_areas ?? []).map((g) => g.coordinates?.[0]?.slice(0, -1) ?? []);
  // As asked (the request), which is what the numbers answer.
  return {
    kind: r.kind ?? '',
    nature: r.nature ?? '',
    minutes: r.minutes ?? state.minutes,
    profile: r.profile ?? state.profile,
    level: coverage.level ?? '',
    parent_id: coverage.parent_id ?? '',
    added_areas_ha: rings.map((ring) => hectares(ring).toFixed(2)).join(';'),
    added_facilities: (r.add ?? []).map(([lon, lat]) => `${lon.toFixed(6)} ${lat.toFixed(6)}`).join(';'),
    removed_facilities: (r.remove ?? []).join(';'),
  };
}

let scenarioCsvUrl = null;
export function renderScenarioCsv() {
  const { coverage, scenario } = page;
  const link = $('scenario-csv-link');
  if (scenarioCsvUrl) URL.revokeObjectURL(scenarioCsvUrl);
  scenarioCsvUrl = null;
  link.hidden = !scenario;
  if (!scenario) return;
  const q = (s) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const about = scenarioAbout();
  const aboutCells = Object.values(about).map((v) => q(String(v)));
  const secs = (v) => (Number.isFinite(v) ? String(Math.round(v)) : '');
  const lines = [['district_id', 'district', 'addresses', 'covered_before', 'share_before', 'covered_after', 'share_after', 'change',
    'median_s_before', 'median_s_after', 'p90_s_before', 'p90_s_after', ...Object.keys(about)].join(',')];
  for (const r of rows()) {
    lines.push([q(r.id ?? ''), q(r.district), r.addresses, r.covered, r.share?.toFixed(4) ?? '',
      r.covered_after ?? '', r.share_after?.toFixed(4) ?? '', r.change?.toFixed(4) ?? '',
      secs(r.median_s), secs(r.median_after), secs(r.p90_s), secs(r.p90_after), ...aboutCells].join(','));
  }
  const { before: b, after: a } = totals();
  if (a) {
    lines.push(['total', q(coverage.parent_id ? parentName() : ''), b.addresses, b.covered, b.share.toFixed(4), a.covered,
      a.share.toFixed(4), (a.share - b.share).toFixed(4), secs(b.median_s), secs(a.median_s), secs(b.p90_s), secs(a.p90_s),
      ...aboutCells].join(','));
  }
  scenarioCsvUrl = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/csv;charset=utf-8' }));
  link.href = scenarioCsvUrl;
  // Named as the coverage CSV is: «scenario-nature-green-5min-walk.csv». The scenario counts
  // every facility of the kind (scenario.open_at_note): no opening time in its name.
  link.download = csvName('scenario', { openAt: false });
}
