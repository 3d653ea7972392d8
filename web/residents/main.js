// The residents' map (/) and the embeddable map (/embed): one module, two pages
// (<body data-mode="site|embed">). Everything comes from this server: the basemap and the
// facilities as vector tiles, the style and fonts, the walking results from /api/reach.
//
// The parts: context.js (what the page knows), overlay.js (what the map draws), reach.js
// (asking /api/reach, selecting), list.js (the list and the legend), filters.js,
// embed-dialog.js, url.js, search.js (the search box: addresses, places, areas); programme.js
// and help-form.js (activities, volunteer needs and the offer of help); proposals.js and
// proposal-form.js (residents' proposals: the layer, the list, "Foreslå noe her" and "Støtt
// forslaget"), mine.js («Se svar på forslagene dine»: what became of the proposals made with a
// code); nature.js (the nearest green area, forest edge and shore in the list; the nature
// layer). Shared with every page: ../kit/.

import { $, announce, copyText, keepFocus } from '../kit/dom.js';
import { at } from '../kit/base.js';
import {
  loadLanguages, setLanguage, currentLanguage, availableLanguages, defaultLanguage, t, applyStatic,
} from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { createMap, nextStyleLoad, relabelControls, styleUrl, LngLatBounds } from '../kit/map.js';
import { initialContrast, showContrast, wireContrast } from '../kit/contrast.js';
import { renderLanguageLinks } from '../kit/languages.js';
import { KINDS } from '../kit/domain.js';
import { parseState } from '../url-state.js';
import { page, kindColour, showsProposals } from './context.js';
import { withOverlay, pushOverlayData, applyTileFacilityState, wireProposalMarker } from './overlay.js';
import {
  choosePoint, refreshReach, selectFacility, selectProgramme, setStatus, showSummary, originOf,
} from './reach.js';
import { renderList, renderLegend } from './list.js';
import { buildFilters, wireFilters, CATEGORIES } from './filters.js';
import { wireEmbedDialog } from './embed-dialog.js';
import { relabelHelpForm } from './help-form.js';
import { loadProposals, scheduleProposals, selectProposal, wireProposals } from './proposals.js';
import { relabelProposalForms } from './proposal-form.js';
import { relabelMine, wireMine } from './mine.js';
import { writeUrl, languageHref } from './url.js';
import { wireSearch } from './search.js';
import { applyNatureLayers } from './nature.js';

let resolveReady;
const ready = new Promise((ok) => { resolveReady = ok; });
window.app = {
  ready, mode: page.mode, timings: page.timings, get state() { return page.state; }, get reach() { return page.reach; },
  get reachQuery() { return page.reachQuery; },
  get proposals() { return page.proposals; },
  // Busy from the start when the page shows proposals, until the view's first ones are drawn.
  get proposalsBusy() { return Boolean(page.proposalsBusy || (showsProposals() && page.proposals == null)); },
};

function startMap() {
  const { state, mode } = page;
  const options = { transformStyle: withOverlay, cooperativeGestures: mode === 'embed' };
  if (mode === 'embed' && state.bbox) {
    const [w, s, e, n] = state.bbox;
    // A little room around the box, so that its edges can be brought to the middle.
    const dx = (e - w) * 0.25, dy = (n - s) * 0.25;
    options.maxBounds = [[w - dx, s - dy], [e + dx, n + dy]];
    if (!state.center) options.bounds = [[w, s], [e, n]];
  }
  const map = createMap({
    contrast: state.contrast,
    view: state,
    onMove: writeUrl,
    ...options,
  });
  page.map = map;
  wireProposalMarker(map);
  // The style's own centre and zoom apply when it loads; a result's view must come after.
  page.styleLoaded = nextStyleLoad(map);
  map.on('style.load', () => {
    for (const dot of document.querySelectorAll('#kinds .kind-dot')) dot.style.background = kindColour(dot.dataset.kind);
    pushOverlayData();
    applyTileFacilityState();
    applyNatureLayers();
    renderLegend();
    renderList();
  });
  // Without a view in the URL: show where the data is (the facilities' TileJSON bounds),
  // so that the page fits any municipality without editing the style.
  if (!state.center && !state.point && !(mode === 'embed' && state.bbox)) {
    const fitData = (e) => {
      if (e.sourceId !== 'facilities' || !e.isSourceLoaded) return;
      map.off('sourcedata', fitData);
      const b = map.getSource('facilities')?.bounds;
      if (!Array.isArray(b) || b.length !== 4 || !(b[0] < b[2] && b[1] < b[3])) return;
      // The style's own view is kept when it looks at the data.
      if (new LngLatBounds([b[0], b[1]], [b[2], b[3]]).contains(map.getCenter())) return;
      map.fitBounds([[b[0], b[1]], [b[2], b[3]]], { padding: 16, animate: false });
    };
    map.on('sourcedata', fitData);
  }
  map.on('click', (e) => {
    const box = [[e.point.x - 6, e.point.y - 6], [e.point.x + 6, e.point.y + 6]];
    const layers = ['proposal', 'reach-need', 'reach-activity', 'reach-facility']
      .filter((l) => map.getLayer(l) && map.getLayoutProperty(l, 'visibility') !== 'none');
    const hit = layers.length ? map.queryRenderedFeatures(box, { layers }) : [];
    if (hit.length) {
      // Proposals first; of several, the one nearest the click.
      const near = (f) => map.project(f.geometry.coordinates).dist(e.point);
      const proposals = hit.filter((f) => f.layer.id === 'proposal').sort((a, b) => near(a) - near(b));
      if (proposals.length) {
        selectProposal(proposals[0].id, { from: 'map' });
        return;
      }
      const top = hit[0];
      if (top.layer.id === 'reach-facility') selectFacility(top.id, { from: 'map' });
      else selectProgramme(top.layer.id === 'reach-need' ? 'need' : 'activity', top.id, { from: 'map' });
      return;
    }
    choosePoint({ lon: e.lngLat.lng, lat: e.lngLat.lat, address: null });
  });
  map.on('moveend', scheduleProposals);
  for (const layer of ['reach-facility', 'reach-activity', 'reach-need', 'proposal']) {
    map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
    map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
  }
}

function wireControls() {
  const { state } = page;
  wireFilters();
  $('use-center').addEventListener('click', () => {
    const c = page.map.getCenter();
    choosePoint({ lon: c.lng, lat: c.lat, address: null }, { fit: false });
  });
  wireContrast(() => state.contrast, (contrast) => {
    state.contrast = contrast;
    writeUrl();
    page.map.setStyle(styleUrl(contrast), { diff: false, transformStyle: withOverlay });
  });
  $('copy-link')?.addEventListener('click', async () => {
    const ok = await copyText(location.href);
    $('copy-link-status').textContent = ok ? t('tools.link_copied') : t('tools.copy_failed', { url: location.href });
  });
  wireEmbedDialog();
  wireProposals();
  wireMine();

  wireSearch();
}

function renderLanguages() {
  renderLanguageLinks(availableLanguages(), currentLanguage(), { href: languageHref, onPick: switchLanguage });
}

/** The page's static strings and title in the current language. */
function applyLanguage() {
  page.state.lang = currentLanguage();
  applyStatic();
  document.title = t(page.mode === 'embed' ? 'page.title_embed' : 'page.title');
}

/** Everything in the new language; focus stays on the equivalent element (the link, a row's button). */
function switchLanguage(code) {
  return keepFocus(() => relabel(code));
}

async function relabel(code) {
  await setLanguage(code);
  applyLanguage();
  $('address-message').textContent = '';
  buildFilters();
  renderLanguages();
  relabelControls(page.map);
  relabelHelpForm();
  relabelProposalForms();
  relabelMine();
  renderList();
  renderLegend();
  showSummary();
  writeUrl();
  announce(t('lang.switched'));
}

/** Optional parts that wait for data the API may not have (activities, volunteer needs: issue 6). */
async function detectCollections() {
  try {
    const r = await fetch(at('/api/collections'));
    if (!r.ok) return;
    page.collections = (await r.json()).collections.map((c) => c.id);
  } catch {
    page.collections = [];
  }
  const activities = $('activity-filters');
  if (activities) activities.hidden = !page.collections.includes('activities');
  for (const [layer, collection] of [['activities', 'activities'], ['volunteers', 'volunteer-needs']]) {
    const box = document.querySelector(`#layers input[value=${layer}]`)?.closest('label');
    if (box) box.hidden = !page.collections.includes(collection);
  }
  const proposals = $('layer-proposals-choice');
  if (proposals) proposals.hidden = !page.collections.includes('proposals');
}

async function start() {
  const t0 = performance.now();
  await Promise.all([loadLanguages(), includeParts()]);
  const state = parseState(location.search, { kinds: KINDS, categories: CATEGORIES });
  page.state = state;
  state.contrast = initialContrast(state.contrast);
  await setLanguage(state.lang ?? defaultLanguage);
  // The embedded map keeps the search hint for screen readers only.
  if (page.mode === 'embed') $('address-hint').className = 'visually-hidden';
  applyLanguage();
  showContrast(state.contrast);
  document.body.dataset.list = state.list;
  if (page.mode === 'embed' && state.list === 'none') $('results-details')?.removeAttribute('open');
  // On small screens the legend starts folded, so that it does not cover the map.
  if (matchMedia('(max-width: 40rem)').matches) $('legend').removeAttribute('open');
  buildFilters();
  renderLanguages();
  startMap();
  wireControls();
  setStatus(t('status.idle'));
  if (state.address) $('address').value = state.address;
  const firstDraw = new Promise((ok) => page.map.once('idle', ok));
  const pending = [];
  if (state.point) {
    page.overlayData.origin = originOf(state.point);
    pending.push(refreshReach({ fit: !state.center && !(page.mode === 'embed' && state.bbox) }));
  }
  // The proposals of the first view, once the map has a view and we know the API has them.
  pending.push(Promise.all([detectCollections(), page.styleLoaded]).then(() => loadProposals()));
  await Promise.all(pending);
  writeUrl();
  firstDraw.then(() => { page.timings.firstIdleMs = performance.now() - t0; });
  document.documentElement.dataset.ready = 'true';
  resolveReady();
}

start().catch((e) => {
  console.error(e);
  const s = $('status');
  if (s) s.textContent = 'Kartet kunne ikke starte. / The map could not start.';
});
