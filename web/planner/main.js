// The planners' page (/planner): coverage per district for a facility kind (or nature: green
// areas, forest, shores), a walking time and a profile, at a district level (bydel, postcode area, …; a district opens to the finer level
// inside it); a district map coloured by share (with the percentage as a label, and a pattern on
// the lowest classes), the coverage hexagons (gaps), a sortable table with a CSV link, a bar
// chart, and scenario mode (propose facilities, close facilities, see before and after).
// Everything comes from this server: /api/coverage, /api/coverage/scenario,
// /api/collections/{districts,facilities}/items, /tiles/coverage.json and the basemap style.
//
// Strings: /static/i18n/planner/{lang}.json (kept apart from the residents' i18n/*.json).
// The parts: context.js (what the page knows), url.js (the URL parameters), format.js,
// table.js (table, chart, totals, CSV), overlay.js (the map's layers, popup, legend),
// load.js (loading the question), levels.js and drill.js (district levels, drill-down, the
// breadcrumb), scenario.js (scenario mode), render.js, nature.js (nature questions and their
// areas on the map), areas.js (a nature scenario's new areas), distribution.js (the walking
// times' distribution). Shared with every page: ../kit/.

import { $, announce } from '../kit/dom.js';
import { loadLanguages, setLanguage, currentLanguage, availableLanguages, t, applyStatic } from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { problemText } from '../kit/problems.js';
import { createMap, nextStyleLoad, styleUrl } from '../kit/map.js';
import { initialContrast, showContrast, wireContrast } from '../kit/contrast.js';
import { renderLanguageLinks } from '../kit/languages.js';
import { fillChoices } from '../kit/choices.js';
import { KINDS, PROFILES } from '../kit/domain.js';
import { page } from './context.js';
import { parseUrl, writeUrl, GROUPS, DEFAULT, MAX_MINUTES, NATURE } from './url.js';
import { kindLabel } from './format.js';
import {
  addOverlay, pushDistricts, applyHexVisibility, renderLegend, showDistrictPopup, districtAt,
} from './overlay.js';
import {
  propose, addProposal, closeFacility, reopenFacility, setScenarioMode, resetScenario, renderScenarioLists, showMarkers,
} from './scenario.js';
import { natureOption, natureOf } from './nature.js';
import {
  addArea, addAreaOverlay, addDraftPoint, renderAreas, wireAreas,
} from './areas.js';
import { loadQuestion } from './load.js';
import { WHO_MINUTES } from './table.js';
import { wireDrill, drillInto, opensOnClick, fitToPlace } from './drill.js';
import { renderAll } from './render.js';
import { wireOpenAt, showOpenAt } from './open-at.js';

page.state = parseUrl(location.search);
const { state } = page;

let resolveReady;
const ready = new Promise((ok) => { resolveReady = ok; });
window.app = {
  ready,
  get state() { return page.state; },
  get coverage() { return page.coverage; },
  get scenario() { return page.scenario; },
  get proposals() { return page.proposals.map((p) => p.lngLat); },
  get areas() { return page.areas.map((a) => a.ring); },
  get busy() { return page.scenarioBusy || page.questionBusy; },
  /** Resolves when no coverage or scenario request is pending. */
  async settled() {
    while (page.questionBusy || page.scenarioBusy) await new Promise((ok) => setTimeout(ok, 25));
  },
};

function questionChanged() {
  writeUrl();
  loadQuestion();
}

function startMap() {
  const map = createMap({
    contrast: state.contrast,
    view: state,
    onMove: writeUrl,
  });
  page.map = map;
  page.styleReady = nextStyleLoad(map);
  const near = (e) => [[e.point.x - 7, e.point.y - 7], [e.point.x + 7, e.point.y + 7]];
  map.on('click', (e) => {
    if (!state.scenario) {
      // A district opens (the areas inside it) where a finer level exists, else shows its numbers.
      const id = opensOnClick() ? districtAt(e.point) : null;
      if (id != null) drillInto(id, { via: 'map' });
      else showDistrictPopup(e);
      return;
    }
    if (e.originalEvent?.target?.closest?.('.proposed-marker')) return;
    // A nature question: the click is a point of the area being drawn (./areas.js).
    if (state.nature) {
      addDraftPoint([e.lngLat.lng, e.lngLat.lat]);
      return;
    }
    const hit = map.getLayer('pl-facility') ? map.queryRenderedFeatures(near(e), { layers: ['pl-facility'] }) : [];
    if (hit.length) {
      const id = hit[0].properties.id;
      if (state.remove.includes(id)) reopenFacility(id);
      else closeFacility(id);
      return;
    }
    addProposal([e.lngLat.lng, e.lngLat.lat]);
  });
  map.on('mousemove', (e) => {
    if (state.scenario && state.nature) {
      map.getCanvas().style.cursor = 'crosshair';
      return;
    }
    if (!state.scenario || !map.getLayer('pl-facility')) {
      map.getCanvas().style.cursor = opensOnClick() && districtAt(e.point) != null ? 'pointer' : '';
      return;
    }
    map.getCanvas().style.cursor = map.queryRenderedFeatures(near(e), { layers: ['pl-facility'] }).length ? 'pointer' : 'crosshair';
  });
}

/** The page's layers on the style (the districts, facilities, nature; a nature scenario's areas). */
function overlay() {
  addOverlay();
  addAreaOverlay(page.map);
  renderAreas();
}

/** The high-contrast switch: the page's colours, the basemap, and the overlay drawn anew on it. */
function setContrast(value) {
  state.contrast = value;
  writeUrl();
  if (!page.map) return;
  page.styleReady = nextStyleLoad(page.map).then(() => {
    overlay();
    pushDistricts();
  });
  window.app.styleReady = page.styleReady;
  page.map.setStyle(styleUrl(value), { diff: false });
  announce(t(value === 'high' ? 'layers.contrast_on' : 'layers.contrast_off'), 30);
}

function buildControls() {
  const kind = $('kind');
  const groups = document.createElement('optgroup');
  groups.label = t('question.groups');
  for (const g of GROUPS) groups.append(new Option(t(`question.${g}`), g));
  const single = document.createElement('optgroup');
  single.label = t('question.kinds');
  for (const k of KINDS) single.append(new Option(t(`kinds.${k}`), k));
  // Nature (issue 22): `nature=` instead of `kind=`.
  const nature = document.createElement('optgroup');
  nature.label = t('question.nature');
  for (const n of NATURE) nature.append(new Option(t(`nature.${n}`), natureOption(n)));
  kind.replaceChildren(groups, single, nature);
  if (![...GROUPS, ...KINDS].includes(state.kind)) groups.append(new Option(kindLabel(state.kind), state.kind));
  kind.value = state.nature ? natureOption(state.nature) : state.kind;
  kind.addEventListener('change', () => {
    const wasNature = Boolean(state.nature);
    state.nature = natureOf(kind.value);
    if (!state.nature) {
      state.kind = kind.value;
      state.remove = [];
    }
    if (wasNature !== Boolean(state.nature)) {
      // Facilities or areas: the scenario's tools, markers and saved result change with it.
      page.scenario = null;
      showMarkers();
      renderAreas();
    }
    showOpenAt();
    renderScenarioLists();
    questionChanged();
  });

  const minutes = $('minutes');
  minutes.value = String(state.minutes);
  let timer = null;
  const readMinutes = (commit) => {
    const v = Number(minutes.value);
    const ok = minutes.value.trim() !== '' && Number.isInteger(v) && v >= 1 && v <= MAX_MINUTES;
    minutes.setAttribute('aria-invalid', String(!ok));
    // An alert (as the residents' age field): said when it appears, not only shown.
    const err = $('minutes-error');
    const text = ok ? '' : t('question.minutes_invalid');
    if (err.textContent !== text) err.textContent = text;
    if (!ok || v === state.minutes) return;
    clearTimeout(timer);
    const apply = () => {
      state.minutes = v;
      questionChanged();
    };
    if (commit) apply();
    else timer = setTimeout(apply, 500);
  };
  minutes.setAttribute('aria-invalid', 'false');
  minutes.addEventListener('input', () => readMinutes(false));
  minutes.addEventListener('change', () => readMinutes(true));
  // «Bruk WHO-målet: 5 minutter» (a green question with other minutes): the minutes set, and
  // focus on them, as the button goes.
  $('who-minutes').addEventListener('click', () => {
    minutes.value = String(WHO_MINUTES);
    $('who-minutes').hidden = true;
    minutes.focus();
    readMinutes(true);
  });

  fillChoices($('profiles'), 'radio', 'profile', PROFILES.map((p) => ({
    value: p, label: t(`profile.${p}`), checked: p === state.profile,
    onChange: (e) => {
      if (!e.target.checked) return;
      state.profile = p;
      questionChanged();
    },
  })));
  $('question').addEventListener('submit', (e) => e.preventDefault());
  wireOpenAt(questionChanged);

  $('show-hex').checked = state.hex;
  $('show-hex').addEventListener('change', () => {
    state.hex = $('show-hex').checked;
    writeUrl();
    applyHexVisibility();
    renderLegend();
  });

  showContrast(state.contrast);
  wireContrast(() => state.contrast, setContrast);

  $('scenario-toggle').addEventListener('click', () => setScenarioMode(!state.scenario));
  $('add-center').addEventListener('click', () => {
    const c = page.map.getCenter();
    addProposal([c.lng, c.lat]);
  });
  $('close-selected').addEventListener('click', () => {
    const id = Number($('close-select').value);
    if (id) closeFacility(id);
    $('close-select').focus();
  });
  $('scenario-reset').addEventListener('click', resetScenario);
  wireAreas();
  renderLanguageLinks(availableLanguages(), currentLanguage());
}

async function start() {
  state.contrast = initialContrast(state.contrast);
  document.body.classList.toggle('high-contrast', state.contrast === 'high');
  await Promise.all([
    loadLanguages({ dir: '/static/i18n/planner', onlyListed: true, missing: 'missing planner string', fallback: { nb: 'Norsk (bokmål)', en: 'English' } }),
    includeParts(),
  ]);
  state.lang = await setLanguage(state.lang);
  document.title = t('page.title');
  applyStatic();
  buildControls();
  writeUrl();
  const viewInUrl = state.center != null; // (the map writes its view into the state as it moves)
  startMap();
  wireDrill();
  for (const lngLat of state.add) propose(lngLat);
  for (const ring of state.areas) addArea(ring, { quiet: true });
  setScenarioMode(state.scenario, { quiet: true });
  renderScenarioLists();
  showOpenAt();
  await Promise.all([page.styleReady, loadQuestion()]);
  overlay();
  if (!viewInUrl) fitToPlace({ animate: false });
  renderAll();
  resolveReady();
}

start().catch((e) => {
  console.error(e);
  $('status').textContent = t('results.failed', { reason: problemText(e) });
});
