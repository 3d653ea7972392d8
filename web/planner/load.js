// Loading the question: GET /api/coverage at the chosen level (and inside the chosen parent),
// the facilities of the kind (none for a nature question), the districts of the level the server answered at (for the map,
// only those inside the parent), and the parent's chain of districts (for the breadcrumb); then
// the scenario again, and everything drawn.

import { $ } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t } from '../kit/i18n.js';
import { EMPTY } from '../kit/domain.js';
import { problemError, problemText } from '../kit/problems.js';
import { page } from './context.js';
import { writeUrl, coverageQuery } from './url.js';
import { renderQuestionLinks } from './table.js';
import { pushFacilities, updateHexSource } from './overlay.js';
import { applyNatureOverlay } from './nature.js';
import { renderFacilityChoices, renderScenarioLists, runScenario, hasChanges } from './scenario.js';
import { renderAll } from './render.js';

const questionKey = () => {
  const s = page.state;
  return [s.nature ? `nature:${s.nature}` : s.kind, s.minutes, s.profile, s.nature ? '' : s.openAt ?? '', s.nature || !s.openAt ? '' : s.unknownHours, s.level ?? '', s.parent ?? ''].join('|');
};

/** The body of a 200, or an Error with the RFC 9457 problem (`e.problem`: kit/problems.js). */
async function json(url, signal) {
  const r = await fetch(at(url), { signal });
  if (r.ok) return r.json();
  throw await problemError(r);
}

// Districts do not change while the page is open: the polygons per level and parent, and single
// districts by id (the breadcrumb's), are asked for once.
const polygons = new Map();
const districts = new Map();

function once(cache, key, url) {
  if (!cache.has(key)) {
    const p = json(url);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  return cache.get(key);
}

/** The districts of `level` (inside `parent`) as GeoJSON. */
function districtsOf(level, parent) {
  if (!level) return Promise.resolve(EMPTY);
  const q = new URLSearchParams({ level, limit: '10000' });
  if (parent) q.set('parent', parent);
  return once(polygons, `${level}|${parent ?? ''}`, `/api/collections/districts/items?${q}`);
}

/** The district `id` and its parents, coarsest first. */
async function chainOf(id) {
  const chain = [];
  for (let next = id; next != null && chain.length < 12; ) {
    const f = await once(districts, next, `/api/collections/districts/items/${encodeURIComponent(next)}`);
    chain.unshift(f);
    next = f.properties?.parent_id ?? null;
  }
  return chain;
}

let questionController = null;

/**
 * Loads and draws the question. Resolves true when this answer is the one shown, false when a
 * newer question took its place. `view`: the level or the drill-down changed (it is said).
 */
export async function loadQuestion({ view = false } = {}) {
  const { state } = page;
  questionController?.abort();
  const controller = new AbortController();
  questionController = controller;
  page.questionBusy = true;
  const key = questionKey();
  $('status').textContent = t('results.loading');
  let dropped = null;
  try {
    const facilities = new URLSearchParams({ kind: state.kind, limit: '10000' }).toString().replace(/%2C/gi, ',');
    // A nature question has no facilities: its areas are the nature layer (./nature.js).
    const [c, f] = await Promise.all([
      json(`/api/coverage?${coverageQuery()}`, controller.signal),
      state.nature ? { features: [] } : json(`/api/collections/facilities/items?${facilities}`, controller.signal),
    ]);
    const [geo, chain] = await Promise.all([districtsOf(c.level, c.parent_id), c.parent_id ? chainOf(c.parent_id) : []]);
    if (key !== questionKey()) return false;
    page.coverage = c;
    if (page.scenario?.before?.level !== c.level) page.scenario = null; // drawn again below
    page.districtsGeo = geo;
    page.chain = chain;
    page.facilities = f.features ?? [];
    const ids = new Set(page.facilities.map((x) => x.id));
    if (!state.nature) state.remove = state.remove.filter((id) => ids.has(id));
    $('status').textContent = '';
  } catch (e) {
    if (e.name === 'AbortError' || key !== questionKey()) return false;
    const parameter = e.problem?.status === 400 ? e.problem.parameter : null;
    if ((parameter === 'parent' || parameter === 'level') && state[parameter]) {
      // A link to a district or a level this data does not have: the view without it.
      dropped = parameter;
      state[parameter] = null;
      writeUrl();
    } else {
      page.coverage = null;
      $('status').textContent = t('results.failed', { reason: problemText(e) });
    }
  } finally {
    if (questionController === controller) {
      questionController = null;
      page.questionBusy = false;
    }
  }
  if (dropped) {
    const shown = await loadQuestion({ view: true });
    if (shown) $('status').textContent = t(`view.unknown_${dropped}`);
    return shown;
  }
  renderQuestionLinks();
  renderFacilityChoices();
  renderScenarioLists();
  pushFacilities();
  updateHexSource();
  applyNatureOverlay();
  if (state.scenario && hasChanges()) await runScenario();
  else page.scenario = null;
  if (key !== questionKey()) return false;
  page.viewChanged = view;
  renderAll();
  return key === questionKey();
}
