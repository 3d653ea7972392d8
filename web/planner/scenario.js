// Scenario mode: propose facilities (a click, or "add at the map centre"; markers that move with
// the arrow keys), close facilities (a click, or the list), or for a nature question add areas
// (./areas.js), and POST /api/coverage/scenario for before, after and change, at the level the
// table shows (the question itself: ./load.js).

import { $, h, announce } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, currentLocale } from '../kit/i18n.js';
import { Marker } from '../kit/map.js';
import { readProblem, problemText } from '../kit/problems.js';
import { page } from './context.js';
import { writeUrl, MAX_CHANGES } from './url.js';
import { fmtPoint, facilityName } from './format.js';
import { pushFacilities, closePopup } from './overlay.js';
import { renderAll } from './render.js';
import { smallAreasText, refusedText } from './areas.js';

const say = (text) => announce(text, 30);
/** True when the scenario has something to ask about: new areas (a nature question), else facilities. */
export const hasChanges = () => (page.state.nature ? page.areas.length > 0
  : page.proposals.length > 0 || page.state.remove.length > 0);

let scenarioController = null;
let scenarioTimer = null;

export function scheduleScenario(delay = 120) {
  clearTimeout(scenarioTimer);
  page.scenarioBusy = true;
  scenarioTimer = setTimeout(() => { runScenario().then(renderAll); }, delay);
}

export async function runScenario() {
  const { state } = page;
  clearTimeout(scenarioTimer);
  scenarioController?.abort();
  if (!state.scenario || !hasChanges() || !page.coverage) {
    page.scenario = null;
    page.scenarioError = null;
    page.scenarioBusy = false;
    return;
  }
  // An area smaller than the question counts: the server would refuse it, so it is said here.
  const small = state.nature ? smallAreasText() : null;
  if (small) {
    page.scenario = null;
    page.scenarioError = small;
    page.scenarioBusy = false;
    return;
  }
  const controller = new AbortController();
  scenarioController = controller;
  page.scenarioBusy = true;
  const sent = state.nature ? [...page.areas] : [];
  // A nature question adds areas (./areas.js: each ring closed); a kind adds and closes facilities.
  const request = state.nature ? {
    nature: state.nature,
    minutes: state.minutes,
    profile: state.profile,
    add_areas: sent.map((a) => ({ type: 'Polygon', coordinates: [[...a.ring, a.ring[0]]] })),
  } : {
    kind: state.kind,
    minutes: state.minutes,
    profile: state.profile,
    add: page.proposals.map((p) => [...p.lngLat]),
    remove: [...state.remove],
  };
  // At the level the table shows; the answer has the other levels too (`levels`).
  if (page.coverage.level) request.level = page.coverage.level;
  $('scenario-status').textContent = t('scenario.working');
  try {
    const r = await fetch(at('/api/coverage/scenario'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(request),
      signal: controller.signal,
    });
    if (!r.ok) {
      const p = await readProblem(r);
      page.scenario = null;
      page.scenarioError = errorText(p, state.nature, sent);
    } else {
      page.scenario = { request, ...(await r.json()) };
      page.scenarioError = null;
    }
  } catch (e) {
    if (e.name === 'AbortError') return;
    page.scenario = null;
    page.scenarioError = t('scenario.failed', { reason: problemText(e) });
  } finally {
    if (scenarioController === controller) {
      scenarioController = null;
      page.scenarioBusy = false;
    }
  }
}

/**
 * A refused scenario in words. A drawn area: which one and why, from the problem's `index`,
 * `reason` and `limit` (./areas.js `refusedText`; never the English `detail`), or, from a server
 * that does not say which, what to check.
 */
function errorText(p, nature, sent) {
  if (nature && p.parameter === 'add_areas') {
    return refusedText(p, sent) ?? t(p.status === 422 ? 'areas.off_network' : 'areas.refused');
  }
  if (p.kind === 'outside-coverage' || p.status === 422) return t(nature ? 'areas.off_network' : 'scenario.off_network');
  return t('scenario.failed', { reason: problemText(p) });
}

/** A change was made: the URL, the lists, what is said, and the scenario asked for anew. */
function changed(message, { delay = 0, focus, facilities = false } = {}) {
  writeUrl();
  if (facilities) {
    pushFacilities();
    renderFacilityChoices();
  }
  renderScenarioLists();
  if (message) say(message);
  focus?.focus();
  scheduleScenario(delay);
}

/** Adds a proposed facility (a marker); from the URL, quietly. */
export function propose(lngLat) {
  const n = ++page.proposalSeq;
  const p = { n, lngLat: [lngLat[0], lngLat[1]] };
  p.marker = makeMarker(p);
  page.proposals.push(p);
  return p;
}

export function addProposal(lngLat, { focus = false } = {}) {
  if (page.proposals.length + page.state.remove.length >= MAX_CHANGES) return;
  const p = propose(lngLat);
  changed(t('scenario.added', { n: p.n }), { focus: focus ? p.marker.getElement() : null });
}

function removeProposal(n, { focusAfter } = {}) {
  const i = page.proposals.findIndex((p) => p.n === n);
  if (i < 0) return;
  page.proposals[i].marker.remove();
  page.proposals.splice(i, 1);
  changed(t('scenario.removed', { n }), { focus: focusAfter });
}

function makeMarker(p) {
  const el = h('button', {
    type: 'button', className: 'proposed-marker', textContent: String(p.n),
    'aria-label': t('scenario.marker', { n: p.n }), title: t('scenario.proposed_item', { n: p.n }),
  });
  const marker = new Marker({ element: el, draggable: true }).setLngLat(p.lngLat);
  if (page.state.scenario && !page.state.nature && page.map) marker.addTo(page.map);
  marker.on('dragend', () => {
    const ll = marker.getLngLat();
    p.lngLat = [ll.lng, ll.lat];
    changed(t('scenario.moved', { n: p.n }));
  });
  el.addEventListener('click', (e) => e.stopPropagation());
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Delete' || e.key === 'Backspace') {
      e.preventDefault();
      removeProposal(p.n, { focusAfter: $('add-center') });
      return;
    }
    const step = e.shiftKey ? 50 : 10;
    const d = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] }[e.key];
    if (!d) return;
    e.preventDefault();
    e.stopPropagation();
    const px = page.map.project(p.lngLat);
    const ll = page.map.unproject([px.x + d[0], px.y + d[1]]);
    p.lngLat = [ll.lng, ll.lat];
    marker.setLngLat(p.lngLat);
    changed(null, { delay: 300 });
  });
  return marker;
}

const nameOf = (id) => {
  const f = page.facilities.find((x) => x.id === id);
  return f ? facilityName(f) : String(id);
};

export function closeFacility(id) {
  const { state } = page;
  if (state.remove.includes(id) || page.proposals.length + state.remove.length >= MAX_CHANGES) return;
  state.remove.push(id);
  changed(t('scenario.closed', { name: nameOf(id) }), { facilities: true });
}

export function reopenFacility(id, { focusAfter } = {}) {
  page.state.remove = page.state.remove.filter((x) => x !== id);
  changed(t('scenario.reopened', { name: nameOf(id) }), { facilities: true, focus: focusAfter });
}

export function setScenarioMode(on, { quiet = false } = {}) {
  page.state.scenario = on;
  closePopup();
  $('scenario-toggle').setAttribute('aria-pressed', String(on));
  $('scenario-panel').hidden = !on;
  document.body.classList.toggle('scenario-on', on);
  showMarkers();
  writeUrl();
  pushFacilities();
  if (!quiet) say(t(on ? 'scenario.on' : 'scenario.off'));
  if (on && hasChanges()) scheduleScenario(0);
  else {
    page.scenario = null;
    page.scenarioError = null;
    runScenario().then(renderAll);
  }
}

/** The proposed facilities' markers: on the map in scenario mode for a kind question (not for nature). */
export function showMarkers() {
  const on = page.state.scenario && !page.state.nature && page.map;
  for (const p of page.proposals) {
    if (on) p.marker.addTo(page.map);
    else p.marker.remove();
  }
}

/** Every proposal, every closed facility and every new area away. */
export function resetScenario() {
  for (const p of page.proposals) p.marker.remove();
  page.proposals = [];
  page.state.remove = [];
  page.areas = [];
  page.draft = [];
  page.draftNote = null;
  writeUrl();
  pushFacilities();
  renderScenarioLists();
  renderFacilityChoices();
  say(t('scenario.cleared'));
  $(page.state.nature ? 'draft-center' : 'add-center').focus();
  runScenario().then(renderAll);
}

/** A list of changes with a button each, or a line saying there are none. */
function changeList(list, items, none) {
  list.replaceChildren(...(items.length ? items : [h('li', { className: 'hint', textContent: t(none) })]));
}

const changeItem = (text, button) => h('li', {}, h('span', { textContent: text }), h('button', { type: 'button', className: 'small', ...button }));

export function renderScenarioLists() {
  const { state } = page;
  changeList($('proposed-list'), page.proposals.map((p) => changeItem(`${t('scenario.proposed_item', { n: p.n })}: ${fmtPoint(p.lngLat)}`, {
    textContent: t('scenario.remove_proposed', { n: p.n }),
    on: { click: () => removeProposal(p.n, { focusAfter: $('add-center') }) },
  })), 'scenario.none_proposed');
  changeList($('closed-list'), state.remove.map((id) => changeItem(nameOf(id), {
    textContent: t('scenario.reopen'), 'aria-label': t('scenario.reopen_label', { name: nameOf(id) }),
    on: { click: () => reopenFacility(id, { focusAfter: $('close-select') }) },
  })), 'scenario.none_closed');
  $('scenario-reset').disabled = !hasChanges() && !page.draft.length;
}

export function renderFacilityChoices() {
  const select = $('close-select');
  const keep = select.value;
  const collator = new Intl.Collator(currentLocale());
  const open = page.facilities.filter((f) => !page.state.remove.includes(f.id))
    .map((f) => ({ id: f.id, label: f.properties?.district ? `${facilityName(f)} (${f.properties.district})` : facilityName(f) }))
    .sort((a, b) => collator.compare(a.label, b.label));
  select.replaceChildren(new Option(t('scenario.close_choose'), ''), ...open.map((f) => new Option(f.label, String(f.id))));
  if (open.some((f) => String(f.id) === keep)) select.value = keep;
}

export function renderScenarioStatus() {
  const { state } = page;
  const el = $('scenario-status');
  if (!state.scenario) el.textContent = '';
  else if (page.scenarioError) el.textContent = page.scenarioError;
  else if (page.scenarioBusy) el.textContent = t('scenario.working');
  else if (!hasChanges()) el.textContent = t(state.nature ? 'areas.empty' : 'scenario.empty');
  else el.textContent = '';
}
