// The nærutvalg's page (/medvirkning, docs/PARTICIPATION.md, issue 15): a kommunedel's (or any
// district's) published proposals, most supported first, with their status, the homes and
// residents within 10 minutes' walk, the homes without that kind of facility today and the
// municipality's latest answer; filters by status, category and published date that live in
// the URL; the same list as CSV (`f=csv`); printable on A4 (participation.css). Without
// `?omrade` it lists the districts of the coarsest level below the kommune to choose from.
//
// The parts: url.js (its parameters), render.js (the table and the district list). Strings:
// /static/i18n/participation/{lang}.json. Shared with every page: ../kit/. No map.

import { $, h, announce } from '../kit/dom.js';
import { at } from '../kit/base.js';
import {
  loadLanguages, setLanguage, currentLanguage, availableLanguages, t, has, applyStatic, formatDate,
} from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { initialContrast, showContrast, wireContrast } from '../kit/contrast.js';
import { renderLanguageLinks, updateLanguageLinks } from '../kit/languages.js';
import { fillSelect } from '../kit/choices.js';
import { markField, showErrorSummary } from '../kit/forms.js';
import { withQuery } from '../kit/url.js';
import { PROPOSAL_CATEGORIES, PROPOSAL_STATUSES } from '../kit/domain.js';
import { problemError, problemText } from '../kit/problems.js';
import {
  parseUrl, serialize, apiQuery, writeUrl, pageHref, siteQuery, validDate, DEFAULT_LANG,
} from './url.js';
import { proposalTable, districtList, categoryLabel, statusLabel } from './render.js';

const state = parseUrl(location.search);
// `total`: how many published proposals the district has without the filters (null: not asked).
const page = { district: null, proposals: null, total: null, districts: null, busy: false };

let resolveReady;
window.app = {
  ready: new Promise((ok) => { resolveReady = ok; }),
  get state() { return state; },
  get district() { return page.district; },
  get proposals() { return page.proposals; },
  get districts() { return page.districts; },
  get busy() { return page.busy; },
};

/** How many proposals one request asks for; further pages follow the `next` links. */
const PAGE = 500;
const MAX_PAGES = 20;

const levelName = (level) => (has(`levels.${level}`) ? t(`levels.${level}`) : String(level ?? ''));
const lower = (s) => s.toLocaleLowerCase(document.documentElement.lang || 'nb');

async function getJson(url, signal) {
  const r = await fetch(at(url), { signal, headers: { Accept: 'application/json' } });
  if (!r.ok) throw await problemError(r);
  return r.json();
}

/** Every feature of a collection query, following its `next` links. */
async function allFeatures(url) {
  const out = [];
  let next = url;
  for (let i = 0; next && i < MAX_PAGES; i++) {
    const fc = await getJson(next);
    out.push(...(fc.features ?? []));
    const link = (fc.links ?? []).find((l) => l.rel === 'next')?.href;
    next = link && (fc.features ?? []).length ? link : null;
  }
  return out;
}

function setStatus(text) {
  $('status').textContent = text;
}

function showProblem(text) {
  $('problem-text').textContent = text;
  $('problem').hidden = !text;
}

/** The links to the other pages and languages, with this page's language and contrast. */
function updateLinks() {
  updateLanguageLinks((code) => pageHref(state, { lang: code }));
  $('residents-link').href = withQuery(at('/'), siteQuery(state));
  $('all-link').href = pageHref(state, { omrade: null, status: null, category: null, from: null, to: null });
  if (state.omrade) $('all-link').removeAttribute('aria-current');
  else $('all-link').setAttribute('aria-current', 'page');
}

function printLine() {
  $('print-line').textContent = t('print.line', { date: formatDate(new Date().toISOString().slice(0, 10)), url: location.href });
}

// ---------------------------------------------------------------------------------------------
// Without ?omrade: the districts to choose from

/** The coarsest district level below the kommune (the kommunedeler; bydeler in Oslo). */
async function kommunedelLevel() {
  const c = await getJson('/api/coverage?kind=school&minutes=5');
  const levels = (c.levels ?? []).map((l) => l.level);
  return levels.find((l) => !['kommune', 'municipality'].includes(l)) ?? levels[0] ?? null;
}

async function showChooser({ notFound = null } = {}) {
  $('choose').hidden = false;
  $('content').hidden = true;
  const heading = t('page.heading_all');
  $('page-heading').textContent = notFound ? t('page.not_found_heading') : heading;
  document.title = t('page.title', { heading: notFound ? t('page.not_found_heading') : heading });
  if (notFound) showProblem(t('status.not_found', { id: notFound }));
  setStatus(t('status.loading'));
  page.busy = true;
  try {
    const level = await kommunedelLevel();
    const [districts, proposals] = await Promise.all([
      allFeatures(`/api/collections/districts/items?${new URLSearchParams({ level: level ?? '', limit: String(PAGE) })}`),
      allFeatures(`/api/collections/proposals/items?limit=${PAGE}`),
    ]);
    const counts = new Map();
    for (const f of proposals) {
      const id = f.properties?.kommunedel?.id;
      if (id != null) counts.set(String(id), (counts.get(String(id)) ?? 0) + 1);
    }
    page.districts = districts.map((f) => ({ id: String(f.id ?? f.properties?.id), name: f.properties?.name ?? String(f.id) }))
      .sort((a, b) => a.name.localeCompare(b.name, currentLanguage()));
    $('choose-heading').textContent = t('choose.heading', { level: lower(levelName(level)) });
    $('choose-intro').textContent = t('choose.intro', { count: proposals.length });
    $('district-list').replaceChildren(...districtList(page.districts, counts, state));
    setStatus(t('choose.loaded', { count: page.districts.length, level: lower(levelName(level)) }));
  } catch (e) {
    setStatus('');
    showProblem(t('status.failed', { reason: problemText(e) }));
  } finally {
    page.busy = false;
  }
}

// ---------------------------------------------------------------------------------------------
// With ?omrade: the district's proposals

function fillFilters() {
  fillSelect($('f-status'), PROPOSAL_STATUSES.map((s) => [s, statusLabel(s)]), state.status ?? '', t('filters.all_statuses'));
  fillSelect($('f-category'), PROPOSAL_CATEGORIES.map((c) => [c, categoryLabel(c)]), state.category ?? '', t('filters.all_categories'));
  $('f-from').value = state.from ?? '';
  $('f-to').value = state.to ?? '';
}

/** «Status: Planlagt · Kategori: Ballbinge · Publisert fra 1. desember 2026», or all. */
function filterSummary() {
  const parts = [];
  if (state.status) parts.push(t('summary.status', { status: statusLabel(state.status) }));
  if (state.category) parts.push(t('summary.category', { category: categoryLabel(state.category) }));
  if (state.from && state.to) parts.push(t('summary.between', { from: formatDate(state.from), to: formatDate(state.to) }));
  else if (state.from) parts.push(t('summary.from', { from: formatDate(state.from) }));
  else if (state.to) parts.push(t('summary.to', { to: formatDate(state.to) }));
  return parts.length ? t('summary.filtered', { filters: parts.join(' · ') }) : t('summary.all');
}

const districtName = () => page.district?.name ?? state.omrade;

const filtered = () => Boolean(state.status || state.category || state.from || state.to);

/**
 * What the list holds, in words: «3 publiserte forslag i Grünerløkka.»; with filters, against
 * the district's published proposals without them («1 av de 4 publiserte forslagene i
 * Grünerløkka passer filteret.», «Ingen av de 4 …»), never «0 publiserte forslag» where there are some.
 */
function countText() {
  const count = page.proposals?.length ?? 0;
  const name = districtName();
  if (!filtered()) return count ? t('status.loaded', { count, name }) : t('table.empty', { name });
  if (page.total == null) return count ? t('status.loaded', { count, name }) : t('table.empty_filtered', { name });
  const total = Math.max(page.total, count);
  if (!total) return t('table.empty', { name });
  if (!count) return t('status.none_match', { count: total, name });
  return t('status.some_match', { matched: count, count: total, name });
}

/** How many published proposals the district has without the filters (the API's numberMatched). */
async function loadTotal() {
  if (!filtered()) return null;
  const q = new URLSearchParams(apiQuery({ omrade: state.omrade }, { limit: 1 }));
  const fc = await getJson(`/api/collections/proposals/items?${q}`);
  if (Number.isFinite(fc.numberMatched)) return fc.numberMatched;
  return (await allFeatures(`/api/collections/proposals/items?${apiQuery({ omrade: state.omrade }, { limit: PAGE })}`)).length;
}

function csvName() {
  const slug = lower(districtName()).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/æ/g, 'ae').replace(/ø/g, 'o')
    .replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
  return `forslag-${slug || 'omrade'}.csv`;
}

function renderProposals() {
  const list = page.proposals ?? [];
  $('filter-summary').textContent = filterSummary();
  const csv = $('csv-link');
  csv.href = at(`/api/collections/proposals/items?${apiQuery(state, { f: 'csv' })}`);
  csv.setAttribute('download', csvName());
  const caption = t('table.caption', { count: list.length, name: districtName() });
  $('table-box').replaceChildren(list.length
    ? proposalTable(list, { caption, state })
    : h('p', { className: 'empty', id: 'no-proposals', textContent: countText() }));
  $('source').textContent = t('source.text', { date: formatDate(new Date().toISOString().slice(0, 10)) });
  printLine();
}

let seq = 0;

async function loadProposals() {
  const mine = ++seq;
  page.busy = true;
  setStatus(t('status.loading'));
  try {
    const [features, total] = await Promise.all([
      allFeatures(`/api/collections/proposals/items?${apiQuery(state, { limit: PAGE })}`),
      loadTotal(),
    ]);
    if (mine !== seq) return;
    page.total = total;
    // Most supported first (the API's order; kept when it says nothing about it), then newest.
    page.proposals = features.map((f, i) => ({ f, i }))
      .sort((a, b) => (b.f.properties?.supports ?? 0) - (a.f.properties?.supports ?? 0)
        || String(b.f.properties?.published ?? '').localeCompare(String(a.f.properties?.published ?? '')) || a.i - b.i)
      .map(({ f }) => f);
    showProblem('');
    renderProposals();
    setStatus(countText());
  } catch (e) {
    if (mine !== seq) return;
    page.proposals = [];
    page.total = null;
    renderProposals();
    setStatus('');
    showProblem(t('status.failed', { reason: problemText(e) }));
  } finally {
    if (mine === seq) page.busy = false;
  }
}

/** The district's name and level, for the heading. Resolves false when there is no such district. */
async function loadDistrict() {
  try {
    const f = await getJson(`/api/collections/districts/items/${encodeURIComponent(state.omrade)}`);
    page.district = { id: state.omrade, name: f.properties?.name ?? state.omrade, level: f.properties?.level ?? null };
    return true;
  } catch (e) {
    if (e.status === 404 || e.status === 400) return false;
    page.district = { id: state.omrade, name: state.omrade, level: null };
    return true;
  }
}

function showDistrict() {
  const d = page.district;
  const heading = t('page.heading', { name: d.name });
  $('page-heading').textContent = heading;
  document.title = t('page.title', { heading });
  $('kicker').textContent = d.level ? t('page.kicker_level', { level: levelName(d.level) }) : t('page.kicker');
}

function filterErrors() {
  const errors = [];
  const from = $('f-from').value;
  const to = $('f-to').value;
  if (from && !validDate(from)) errors.push({ field: 'f-from', text: t('filters.error_date') });
  if (to && !validDate(to)) errors.push({ field: 'f-to', text: t('filters.error_date') });
  if (!errors.length && from && to && from > to) errors.push({ field: 'f-to', text: t('filters.error_order') });
  return errors;
}

function wireFilters() {
  $('filters').addEventListener('submit', async (e) => {
    e.preventDefault();
    markField('f-from', null);
    markField('f-to', null);
    const errors = filterErrors();
    showErrorSummary($('filter-errors'), t('filters.errors_heading'), errors);
    if (errors.length) {
      $(errors[0].field).focus();
      return;
    }
    state.status = $('f-status').value || null;
    state.category = $('f-category').value || null;
    state.from = $('f-from').value || null;
    state.to = $('f-to').value || null;
    writeUrl(state);
    updateLinks();
    await loadProposals();
    announce($('status').textContent);
  });
  $('filters-reset').addEventListener('click', () => {
    $('f-status').value = '';
    $('f-category').value = '';
    $('f-from').value = '';
    $('f-to').value = '';
    $('filters').requestSubmit($('filters-apply'));
  });
  $('print').addEventListener('click', () => {
    printLine();
    window.print();
  });
  addEventListener('beforeprint', printLine);
}

async function start() {
  state.contrast = initialContrast(state.contrast);
  showContrast(state.contrast);
  await Promise.all([
    loadLanguages({
      dir: '/static/i18n/participation', onlyListed: true, missing: 'missing participation string',
      fallback: { nb: 'Norsk (bokmål)', en: 'English' },
    }),
    includeParts(),
  ]);
  state.lang = await setLanguage(state.lang ?? DEFAULT_LANG);
  applyStatic();
  document.title = t('page.title', { heading: t('page.heading_loading') });
  renderLanguageLinks(availableLanguages(), currentLanguage(), { href: (code) => pageHref(state, { lang: code }) });
  showContrast(state.contrast);
  wireContrast(() => state.contrast, (next) => {
    state.contrast = next;
    writeUrl(state);
    updateLinks();
    announce(t(next === 'high' ? 'actions.contrast_on' : 'actions.contrast_off'));
  });
  writeUrl(state);
  updateLinks();
  printLine();
  if (!state.omrade) {
    await showChooser();
    return;
  }
  if (!(await loadDistrict())) {
    const missing = state.omrade;
    state.omrade = null;
    writeUrl(state);
    updateLinks();
    await showChooser({ notFound: missing });
    return;
  }
  showDistrict();
  $('content').hidden = false;
  fillFilters();
  wireFilters();
  await loadProposals();
}

start().then(() => resolveReady(), (e) => {
  console.error(e);
  $('status').textContent = `Siden kunne ikke starte. / The page could not start. (${e.message})`;
  resolveReady();
});
