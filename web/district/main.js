// The district profile (/omrade/{id}): what a district is like, and how it compares with the
// municipality and with the district next door, for a nærutvalg member or a planner preparing a
// meeting. One request gives it all: GET /api/districts/{id}/profile (residents, addresses,
// area, facilities by kind, coverage by kind against the reference, activities per week, open
// volunteer needs, knutepunkt). A small map shows the outline; everything on it is in the text.
// It prints on A4 (district.css).
//
// The parts: context.js (what the page knows), url.js (its parameters), load.js (requests,
// status, problems), render.js (heading, figures, tables, lists), table.js, format.js,
// compare.js ("Sammenlign med"), map.js. Strings: /static/i18n/district/{lang}.json.
// Shared with every page: ../kit/.

import { $, announce } from '../kit/dom.js';
import { appPath } from '../kit/base.js';
import { loadLanguages, setLanguage, currentLanguage, availableLanguages, t, applyStatic } from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { problemText } from '../kit/problems.js';
import { initialContrast, showContrast, wireContrast } from '../kit/contrast.js';
import { renderLanguageLinks } from '../kit/languages.js';
import { fillChoices } from '../kit/choices.js';
import { withQuery } from '../kit/url.js';
import { PROFILES } from '../kit/domain.js';
import { page } from './context.js';
import { idFromPath, parseUrl, serialize, writeUrl, MINUTE_CHOICES } from './url.js';
import { loadAll } from './load.js';
import { renderAll } from './render.js';
import { levelName } from './format.js';
import { startMap, setMapContrast, preparePrint, showCompare } from './map.js';
import { loadSiblings, fillCompare, wireCompare, showCompareControl } from './compare.js';

page.state = parseUrl(location.search, idFromPath(appPath()));
const { state } = page;

let resolveReady;
window.app = {
  ready: new Promise((ok) => { resolveReady = ok; }),
  get state() { return page.state; },
  get profile() { return page.profile; },
  get compare() { return page.compare; },
  get busy() { return page.busy; },
  /** Resolves when no profile request is pending. */
  async settled() {
    while (page.busy) await new Promise((ok) => setTimeout(ok, 25));
  },
};

function buildControls() {
  const minutes = [...new Set([...MINUTE_CHOICES, state.minutes])].sort((a, b) => a - b);
  fillChoices($('minutes'), 'radio', 'minutes', minutes.map((m) => ({
    value: String(m), label: t('choices.minutes_value', { minutes: m }), checked: m === state.minutes,
    onChange: (e) => {
      if (!e.target.checked) return;
      state.minutes = m;
      writeUrl(state);
      loadAll();
    },
  })));
  fillChoices($('profiles'), 'radio', 'profile', PROFILES.map((p) => ({
    value: p, label: t(`profile.${p}`), checked: p === state.profile,
    onChange: (e) => {
      if (!e.target.checked) return;
      state.profile = p;
      writeUrl(state);
      loadAll();
    },
  })));
  wireCompare();
  $('print').addEventListener('click', () => {
    preparePrint();
    window.print();
  });
  addEventListener('beforeprint', preparePrint);
  addEventListener('afterprint', () => { $('map-print').hidden = true; });
  $('retry').addEventListener('click', async () => {
    await loadAll();
    if ($('content').hidden) return;
    $('page-heading').focus();
    await rest();
  });
  showContrast(state.contrast);
  wireContrast(() => state.contrast, (next) => {
    state.contrast = next;
    writeUrl(state);
    setMapContrast(next);
    if (page.profile) renderAll();
    announce(t(next === 'high' ? 'choices.contrast_on' : 'choices.contrast_off'), 30);
  });
}

async function start() {
  state.contrast = initialContrast(state.contrast);
  document.body.classList.toggle('high-contrast', state.contrast === 'high');
  await Promise.all([
    loadLanguages({ dir: '/static/i18n/district', onlyListed: true, missing: 'missing district string', fallback: { nb: 'Norsk (bokmål)', en: 'English' } }),
    includeParts(),
  ]);
  state.lang = await setLanguage(state.lang);
  document.title = t('page.title', { heading: t('page.heading_loading') });
  applyStatic();
  renderLanguageLinks(availableLanguages(), currentLanguage(), {
    href: (code) => withQuery(location.pathname, serialize(state, { lang: code })),
  });
  buildControls();
  writeUrl(state);
  if (!state.id) {
    $('not-found-text').textContent = t('not_found.no_id');
    $('not-found').hidden = false;
    $('page-heading').textContent = t('not_found.heading');
    return;
  }
  if (!(await loadAll()) || !page.profile) return;
  await rest();
}

let restStarted = false;

/** After the first profile came: the districts to compare with, the map, the outline's note. */
async function rest() {
  if (restStarted) return;
  restStarted = true;
  const siblings = loadSiblings().then(() => { fillCompare(); showCompareControl(); }, (e) => {
    console.warn('siblings:', e);
    fillCompare();
    $('compare-hint').textContent = t('compare.list_failed');
    announce(t('compare.list_failed'));
  });
  fillCompare();
  await Promise.all([siblings, startMap()]);
  const feature = page.features.get(state.id);
  if (feature?.properties?.derived) {
    $('derived-note').textContent = t('identity.derived', { level: levelName(page.profile.district.level) });
    $('derived-note').hidden = false;
  }
  showCompare();
}

start().then(() => resolveReady(), (e) => {
  console.error(e);
  $('status').textContent = t('status.failed', { reason: problemText(e) });
  resolveReady();
});
