// Choosing the district level and moving between levels: the level chooser, opening a district
// (its table button, or a click on it in the map) to see the next finer level inside it, the
// breadcrumb back up («Alle bydeler › Frogner»), Escape and the map's back button; the map
// follows (it zooms to the parent), and what is shown is said.

import { $, h } from '../kit/dom.js';
import { t, currentLanguage } from '../kit/i18n.js';
import { boundsOf } from '../kit/map.js';
import { fillSelect } from '../kit/choices.js';
import { page } from './context.js';
import { writeUrl, pageUrl } from './url.js';
import { loadQuestion } from './load.js';
import { closePopup } from './overlay.js';
import {
  levels, levelName, levelAll, rank, canDrill, parentFeature, parentName, rootLevel,
} from './levels.js';

/** Zooms the map to the parent, or to every district shown. */
export function fitToPlace({ animate = true } = {}) {
  const { map } = page;
  if (!map) return;
  const b = boundsOf(parentFeature() ? [parentFeature()] : page.districtsGeo.features ?? []);
  if (b && b[0][0] < b[1][0] && b[0][1] < b[1][1]) map.fitBounds(b, { padding: 16, maxZoom: 16, animate });
}

/** The drill-down button of district `id` in the table, if it has one. */
const rowButton = (id) => (id == null ? null
  : document.querySelector(`#table-body button.drill[data-district-id="${CSS.escape(String(id))}"]`));

/** A new view (level or parent): the URL, the answer, the map, and where focus goes. */
async function show({ fit = true, focus = null } = {}) {
  closePopup();
  writeUrl();
  const before = document.activeElement;
  const shown = await loadQuestion({ view: true });
  if (!shown) return;
  if (fit) fitToPlace();
  // Focus stays where it was unless what had it is gone (a button of the old view).
  const lost = !before?.isConnected || document.activeElement === document.body || document.activeElement === $('results-heading');
  if (focus && lost) focus()?.focus();
}

/** Opens district `id`: the districts of the next finer level inside it. */
export function drillInto(id, { via = 'table' } = {}) {
  if (!canDrill() || id == null) return;
  page.state.parent = String(id);
  page.state.level = null; // the server's: the level just below the parent's
  return show({ focus: via === 'table' ? () => $('results-heading') : null });
}

/**
 * Goes back up to `chain[to]` (the areas inside it), or to the whole area when `to` is -1;
 * by default one level up. Focus goes to the button of the district that was open.
 */
export function goUp(to = page.chain.length - 2, { via = 'keyboard' } = {}) {
  const { state, chain } = page;
  if (!chain.length) return;
  const left = chain[to + 1];
  if (to >= 0) {
    state.parent = String(chain[to].id);
    state.level = null;
  } else {
    state.level = rootLevel();
    state.parent = null;
  }
  const focus = via === 'map' ? () => page.map.getCanvas() : () => rowButton(left?.id) ?? $('results-heading');
  return show({ focus });
}

// The level chooser: the server's levels, coarsest first, with the number of districts of each.
let chooserKey = '';

function renderChooser() {
  const select = $('level');
  const list = levels();
  const key = `${currentLanguage()}|${list.map((l) => `${l.level}:${l.districts}`).join(',')}`;
  if (key !== chooserKey) {
    chooserKey = key;
    fillSelect(select, list.map((l) => [l.level, t('levels.option', { level: levelName(l.level), count: l.districts })]),
      page.coverage?.level ?? '');
  } else if (page.coverage?.level && select.value !== page.coverage.level) select.value = page.coverage.level;
  select.disabled = list.length < 2;
  const derived = list.find((l) => l.level === page.coverage?.level)?.derived;
  $('level-derived').hidden = !derived;
  $('level-derived').textContent = derived ? t('levels.derived', { level: levelName(page.coverage.level) }) : '';
}

function levelChosen() {
  const { state } = page;
  const level = $('level').value;
  if (!level) return;
  // Inside a parent only a finer level can be shown; a coarser one shows the whole area.
  const keep = state.parent && rank(level) > rank(parentFeature()?.properties?.level);
  state.level = level;
  if (!keep) state.parent = null;
  show({ fit: !keep && page.chain.length > 0 });
}

/** The breadcrumb («Alle bydeler › Frogner»), the headings, and the map's back button. */
export function renderPlace() {
  renderChooser();
  const { chain } = page;
  const nav = $('place-nav');
  nav.hidden = !chain.length;
  const crumb = (to, text) => h('li', {}, h('a', {
    href: to < 0 ? pageUrl({ parent: null, level: rootLevel() }) : pageUrl({ parent: String(chain[to].id), level: null }),
    textContent: text,
    on: {
      click: (e) => {
        e.preventDefault();
        goUp(to);
      },
    },
  }));
  $('crumbs').replaceChildren(...(chain.length ? [
    crumb(-1, levelAll(rootLevel())),
    ...chain.slice(0, -1).map((f, i) => crumb(i, f.properties?.name ?? String(f.id))),
    h('li', { 'aria-current': 'location', textContent: parentName() }),
  ] : []));
  const heading = chain.length ? t('results.heading_in', { parent: parentName() }) : t('results.heading');
  $('results-heading').textContent = heading;
  $('map-heading').textContent = chain.length ? t('map.heading_in', { parent: parentName() }) : t('map.heading');
  upControl?.render();
}

/** The map's own way back up: «‹ Alle bydeler» (hidden at the top). */
class UpControl {
  onAdd() {
    this.button = h('button', { type: 'button', className: 'pl-up-button', on: { click: () => goUp(undefined, { via: 'map' }) } });
    this.box = h('div', { className: 'maplibregl-ctrl maplibregl-ctrl-group pl-up', hidden: true }, this.button);
    this.render();
    return this.box;
  }

  onRemove() {
    this.box.remove();
  }

  render() {
    const { chain } = page;
    this.box.hidden = !chain.length;
    if (!chain.length) return;
    const target = chain.length > 1 ? chain.at(-2).properties?.name ?? String(chain.at(-2).id) : levelAll(rootLevel());
    this.button.replaceChildren(h('span', { 'aria-hidden': 'true', textContent: '‹ ' }),
      h('span', { className: 'visually-hidden', textContent: `${t('drill.back_prefix')} ` }), target);
  }
}

let upControl = null;

/** True when a click on the map at this district should open it. */
export const opensOnClick = () => !page.state.scenario && canDrill();

/** The chooser, Escape and the map's back button; call once the map exists. */
export function wireDrill() {
  $('level').addEventListener('change', levelChosen);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented || !page.chain.length) return;
    if (e.target.closest?.('input, select, textarea, dialog, .proposed-marker')) return;
    e.preventDefault();
    goUp();
  });
  upControl = new UpControl();
  page.map.addControl(upControl, 'top-left');
}
