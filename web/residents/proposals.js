// Residents' proposals on the residents' map (docs/PARTICIPATION.md, issue 15): the published
// proposals in the map's view, from GET /api/collections/proposals/items?bbox=…, drawn as black
// diamonds with a white border (./overlay.js) and listed as text (the map's text alternative): title,
// category, status, supports, kommunedel, homes within 10 minutes' walk, and a fold-out with
// the text, the municipality's answers and "Støtt forslaget" (./proposal-form.js). Near the
// chosen point they are listed nearest first, otherwise by support.
//
// On / the proposals show unless proposals=0; on /embed only with proposals=1 (../url-state.js).
// Proposal titles, texts and answers are Norwegian: marked lang="nb" in another language.

import { $, h, mark, announce } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, has, currentLanguage, formatNumber, formatDate, formatDistance, formatPoint } from '../kit/i18n.js';
import { KINDS, EMPTY } from '../kit/domain.js';
import { page, showsProposals, markRows } from './context.js';
import { setSelected } from './overlay.js';
import { openSupportForm, openProposalForm } from './proposal-form.js';

/** How many proposals one view asks for (the nearest or most supported are listed first). */
const LIMIT = 200;

let controller = null;
let timer = null;
/** The proposals whose fold-out is open (kept when the list is drawn again). */
const openIds = new Set();
/** What the list shows now (ids, supports, status, order): no redraw when nothing changed. */
let shownKey = '';

/** The `lang` of Norwegian free text (titles, texts, answers) on this page: null in Bokmål. */
export const nbLang = () => (currentLanguage() === 'nb' ? null : 'nb');

/** A proposal category in words: the facility kinds' labels, then the five others. */
export function proposalCategoryLabel(category) {
  if (KINDS.includes(category) && has(`kinds.${category}`)) return t(`kinds.${category}`);
  return has(`proposals.category.${category}`) ? t(`proposals.category.${category}`) : String(category ?? '');
}

/** A public status in words («Mottatt», «Planlagt», …). */
export const statusLabel = (status) => (has(`proposals.status.${status}`) ? t(`proposals.status.${status}`) : String(status ?? ''));

const idOf = (f) => f.properties?.id ?? f.id;

/** The proposals of the map's view, asked for again when it moves (a newer request cancels an older one). */
export async function loadProposals() {
  clearTimeout(timer);
  if (!page.map) return;
  if (!showsProposals()) {
    controller?.abort();
    page.proposalsBusy = false;
    page.proposals = null;
    page.overlayData.proposals = EMPTY;
    page.map.getSource('proposal-points')?.setData(EMPTY);
    renderProposals();
    return;
  }
  const b = page.map.getBounds();
  const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v) => Number(v.toFixed(5))).join(',');
  controller?.abort();
  const mine = (controller = new AbortController());
  page.proposalsBusy = true;
  try {
    const r = await fetch(at(`/api/collections/proposals/items?bbox=${bbox}&limit=${LIMIT}`),
      { signal: mine.signal, headers: { Accept: 'application/geo+json' } });
    if (!r.ok) throw new Error(`HTTP ${r.status}`);
    const fc = await r.json();
    page.proposals = Array.isArray(fc.features) ? fc.features : [];
    page.proposalsError = false;
  } catch (e) {
    if (e.name === 'AbortError') return; // a newer request took over (and is busy now)
    console.warn('proposals:', e.message);
    page.proposals = [];
    page.proposalsError = true;
  }
  page.overlayData.proposals = { type: 'FeatureCollection', features: page.proposals };
  const source = page.map.getSource('proposal-points');
  source?.setData(page.overlayData.proposals);
  if (page.selected?.type === 'proposal') setSelected(page.selected);
  renderProposals();
  // Busy until the map has drawn them too: the markers are symbols, placed a few frames after
  // their data (tests wait for this; a newer request keeps it busy for its own).
  if (source) await new Promise((ok) => page.map.once('idle', ok));
  if (mine === controller) page.proposalsBusy = false;
}

/** After the map moved: the view's proposals, a moment later (not on every frame). */
export function scheduleProposals() {
  clearTimeout(timer);
  if (!showsProposals()) return;
  page.proposalsBusy = true; // from now on: tests wait for the view's proposals
  timer = setTimeout(loadProposals, 250);
}

/** Metres between two lon/lat points (good enough for a list's order). */
function metres([lon1, lat1], [lon2, lat2]) {
  const r = 6371000;
  const rad = Math.PI / 180;
  const x = (lon2 - lon1) * rad * Math.cos(((lat1 + lat2) / 2) * rad);
  const y = (lat2 - lat1) * rad;
  return Math.sqrt(x * x + y * y) * r;
}

/** The proposals as listed: nearest the chosen point first, else by support (the API's order). */
function ordered() {
  const items = [...(page.proposals ?? [])];
  const point = page.state.point;
  if (!point) return items.map((f) => ({ f, distance: null }));
  return items
    .map((f) => ({ f, distance: f.geometry?.coordinates ? metres(point, f.geometry.coordinates) : Infinity }))
    .sort((a, b) => a.distance - b.distance);
}

/** «812 boliger innen 10 minutter», or null without a walking network. */
function homesText(p) {
  const c = p.catchment;
  if (!c || c.homes == null) return null;
  return t('proposals.homes', { count: c.homes, minutes: c.minutes ?? 10 });
}

function facts(p) {
  const c = p.catchment;
  const rows = [
    [t('proposals.fact_category'), proposalCategoryLabel(p.category)],
    [t('proposals.fact_status'), statusLabel(p.status)],
    [t('proposals.fact_supports'), formatNumber(p.supports ?? 0)],
    [t('proposals.fact_area'), [p.district?.name, p.kommunedel?.name].filter(Boolean)
      .filter((x, i, all) => all.indexOf(x) === i).join(', ') || null],
  ];
  if (c) {
    rows.push([t('proposals.fact_homes', { minutes: c.minutes ?? 10 }), formatNumber(c.homes ?? 0)]);
    if (c.residents != null) rows.push([t('proposals.fact_residents', { minutes: c.minutes ?? 10 }), formatNumber(c.residents)]);
    if (c.kind && c.homes_without != null) {
      rows.push([t('proposals.fact_without', { kind: proposalCategoryLabel(c.kind).toLocaleLowerCase(document.documentElement.lang || 'nb'), minutes: c.minutes ?? 10 }),
        formatNumber(c.homes_without)]);
    }
  } else {
    rows.push([t('proposals.fact_homes', { minutes: 10 }), t('proposals.no_catchment')]);
  }
  rows.push([t('proposals.fact_published'), p.published ? formatDate(p.published) : null]);
  const dl = h('dl', { className: 'result-facts' });
  for (const [term, value] of rows) {
    if (value == null || value === '') continue;
    dl.append(h('dt', { textContent: term }), h('dd', { textContent: value }));
  }
  return dl;
}

/**
 * The municipality's answers, newest first: status, date and the answer (Norwegian). The API
 * lists them oldest first, in the order they were written (two of the same day included).
 */
function answers(p) {
  const list = [...(Array.isArray(p.answers) ? p.answers : [])].reverse();
  const heading = h('p', { className: 'answers-heading', textContent: t('proposals.answers') });
  if (!list.length) return [heading, h('p', { className: 'hint', textContent: t('proposals.no_answers') })];
  return [heading, h('ol', { className: 'answers' }, list.map((a) => h('li', {},
    h('span', { className: 'answer-status', textContent: statusLabel(a.status) }),
    a.at ? h('span', { className: 'answer-date', textContent: ` (${formatDate(String(a.at).slice(0, 10))})` }) : null,
    a.answer ? h('span', { className: 'answer-text', lang: nbLang(), textContent: `: ${a.answer}` }) : null)))];
}

/** Words for screen readers that say which proposal a control belongs to. */
const which = (p) => h('span', { className: 'visually-hidden', lang: nbLang(), textContent: `: ${p.title ?? ''}` });

function proposalRow({ f, distance }) {
  const p = f.properties ?? {};
  const id = idOf(f);
  const title = h('button', {
    type: 'button', className: 'result-name', lang: nbLang(), textContent: p.title ?? '',
    on: { click: () => selectProposal(id, { from: 'list' }) },
  });
  const meta = [p.kommunedel?.name, t('proposals.supports', { count: p.supports ?? 0 }), homesText(p)].filter(Boolean).join(' · ');
  const support = h('button', { type: 'button', className: 'support-button' }, t('proposals.support'), which(p));
  support.addEventListener('click', () => openSupportForm(f, support));
  const details = h('details', { className: 'result-details proposal-details', open: openIds.has(id) },
    h('summary', {}, t('proposals.more'), which(p)),
    h('p', { className: 'result-description', lang: nbLang(), textContent: p.text ?? '' }),
    ...(p.photo ? [h('img', { src: p.photo, className: 'proposal-photo', loading: 'lazy', alt: t('proposals.photo_alt', { title: p.title ?? '' }) })] : []),
    facts(p),
    ...answers(p),
    support);
  details.addEventListener('toggle', () => {
    if (details.open) openIds.add(id);
    else openIds.delete(id);
  });
  const body = h('div', { className: 'result-body' },
    h('span', { className: 'result-kind', textContent: `${proposalCategoryLabel(p.category)} · ${statusLabel(p.status)}` }),
    title,
    h('span', { className: 'result-meta', textContent: meta }),
    details);
  const li = h('li', { className: 'result result-proposal', dataset: { proposalId: String(id) } }, mark('proposal-mark'), body);
  if (distance != null && Number.isFinite(distance)) {
    li.append(h('span', { className: 'result-minutes result-distance', textContent: t('proposals.distance', { distance: formatDistance(distance) }) }));
  }
  if (page.selected?.type === 'proposal' && String(page.selected.id) === String(id)) {
    li.classList.add('selected');
    li.setAttribute('aria-current', 'true');
  }
  return li;
}

/** Which control of which row has focus (to give it back after the list is drawn again). */
function focusedControl() {
  const el = document.activeElement;
  const row = el?.closest?.('[data-proposal-id]');
  if (!row || !$('proposal-list')?.contains(row)) return null;
  const part = ['.result-name', 'summary', '.support-button'].find((s) => el.matches(s));
  return part ? { id: row.dataset.proposalId, part } : null;
}

/** The list of proposals, the line above it and the "Foreslå noe her" hint; hidden when off. */
export function renderProposals({ force = false } = {}) {
  const section = $('proposals');
  if (!section) return;
  const on = showsProposals();
  section.hidden = !on;
  const tools = $('propose-tools');
  if (tools) tools.hidden = !on;
  updateProposeNote();
  if (!on) {
    shownKey = '';
    return;
  }
  const items = ordered();
  $('proposals-heading').textContent = t('proposals.heading', { count: items.length });
  let line;
  if (page.proposals == null) line = t('proposals.loading');
  else if (page.proposalsError) line = t('proposals.failed');
  else if (!items.length) line = t('proposals.none');
  else line = page.state.point ? t('proposals.near_point') : t('proposals.in_view');
  $('proposals-status').textContent = line;
  const key = [currentLanguage(), page.state.point?.join(','), ...items.map(({ f }) => {
    const p = f.properties ?? {};
    return `${idOf(f)}:${p.supports}:${p.status}:${p.updated}:${(p.answers ?? []).length}`;
  })].join('|');
  if (!force && key === shownKey) return;
  shownKey = key;
  const focus = focusedControl();
  $('proposal-list').replaceChildren(...items.map(proposalRow));
  $('proposal-list').hidden = !items.length;
  if (focus) {
    const row = document.querySelector(`#proposal-list [data-proposal-id="${CSS.escape(focus.id)}"]`);
    (row?.querySelector(focus.part) ?? $('proposals-heading')).focus({ preventScroll: true });
  }
}

/**
 * The line under "Foreslå noe her": where the proposal will be, or that a place comes first.
 * With a place chosen, the warning "Velg et sted først …" (#propose-note) has done its job and
 * goes at once (reach.js's choosePoint calls this before asking for the walking result).
 */
export function updateProposeNote() {
  const note = $('propose-place');
  if (!note) return;
  const { point, address } = page.state;
  note.textContent = point
    ? t('proposals.place_chosen', { place: address ?? formatPoint(point[0], point[1]) })
    : t('proposals.place_first_hint');
  const warning = $('propose-note');
  if (point && warning?.textContent) warning.textContent = '';
}

/** "Foreslå noe her": the form for the chosen point, or words that say to choose one first. */
export function wireProposals() {
  $('propose-open')?.addEventListener('click', () => {
    if (!page.state.point) {
      const text = t('proposals.choose_first');
      $('propose-note').textContent = text;
      announce(text);
      return;
    }
    $('propose-note').textContent = '';
    openProposalForm($('propose-open'));
  });
}

/** Marks a proposal in the list and on the map. From the map: focus goes to its row. */
export function selectProposal(id, { from }) {
  const f = (page.proposals ?? []).find((x) => String(idOf(x)) === String(id));
  if (!f) return;
  page.selected = { type: 'proposal', id: idOf(f) };
  setSelected(page.selected);
  const row = document.querySelector(`#proposal-list [data-proposal-id="${CSS.escape(String(id))}"]`);
  markRows(row ? [row] : []);
  row?.scrollIntoView({ block: 'nearest' });
  if (from === 'list' && f.geometry?.coordinates) page.map.easeTo({ center: f.geometry.coordinates });
  if (from === 'map') row?.querySelector('.result-name')?.focus();
  const p = f.properties;
  announce(t('proposals.selected', {
    title: p.title ?? '', category: proposalCategoryLabel(p.category), status: statusLabel(p.status),
    supports: t('proposals.supports', { count: p.supports ?? 0 }),
  }));
}

/** After a support was counted: the new number in the list (and on the map's data). */
export function setSupports(id, supports) {
  const f = (page.proposals ?? []).find((x) => String(idOf(x)) === String(id));
  if (!f) return;
  f.properties.supports = supports;
  renderProposals();
}
