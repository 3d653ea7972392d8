// A knutepunkt's page (/knutepunkt/{id}), for residents: in Drammen's model each kommunedel
// has a hub, the meeting place between residents and the municipality. The page says where it
// is and whether it is open now, what is offered there (each service with its hours, its state
// now and its contact), the activities held there this week, the volunteer needs within 15
// minutes' walk, how far it is to walk from an address, and how to embed the page
// (?embed=1: no site header or footer).
//
// The parts: context.js (what the page knows), url.js (its parameters), load.js (requests,
// status, problems), render.js (heading and parts), format.js (states, labels, contacts),
// distance.js («Hvor langt er det for meg?»), map.js, embed.js. Strings:
// /static/i18n/hub/{lang}.json. Shared with every page: ../kit/.

import { $ } from '../kit/dom.js';
import { appPath } from '../kit/base.js';
import { loadLanguages, setLanguage, currentLanguage, availableLanguages, t, applyStatic } from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { problemText } from '../kit/problems.js';
import { initialContrast, showContrast } from '../kit/contrast.js';
import { renderLanguageLinks } from '../kit/languages.js';
import { withQuery } from '../kit/url.js';
import { page } from './context.js';
import { idFromPath, parseUrl, serialize, writeUrl } from './url.js';
import { loadHub, loadRest } from './load.js';
import { wireDistance } from './distance.js';
import { startMap } from './map.js';
import { renderEmbed, wireEmbed } from './embed.js';

page.state = parseUrl(location.search, idFromPath(appPath()));
const { state } = page;

let resolveReady;
window.app = {
  ready: new Promise((ok) => { resolveReady = ok; }),
  get state() { return page.state; },
  get hub() { return page.hub; },
  get busy() { return page.busy; },
  /** Resolves when no request of the page is pending. */
  async settled() {
    while (page.busy) await new Promise((ok) => setTimeout(ok, 25));
  },
};

/** In an iframe (?embed=1): the page alone, without the site's header, footer and links to the site. */
function embedMode() {
  document.body.dataset.mode = state.embed ? 'embed' : 'site';
  if (!state.embed) return;
  for (const el of document.querySelectorAll('.site-header, .site-footer')) el.remove();
  $('not-found-residents').target = '_top';
}

let restStarted = false;
async function rest() {
  if (restStarted) return;
  restStarted = true;
  renderEmbed();
  await Promise.all([loadRest(), startMap()]);
}

async function start() {
  state.contrast = initialContrast(state.contrast);
  showContrast(state.contrast);
  await Promise.all([
    loadLanguages({ dir: '/static/i18n/hub', onlyListed: true, missing: 'missing hub string', fallback: { nb: 'Norsk (bokmål)', en: 'English' } }),
    includeParts(),
  ]);
  embedMode();
  state.lang = await setLanguage(state.lang);
  document.title = t('page.title', { name: t('page.heading_loading') });
  applyStatic();
  renderLanguageLinks(availableLanguages(), currentLanguage(), {
    href: (code) => withQuery(location.pathname, serialize(state, { lang: code })),
  });
  writeUrl(state);
  wireDistance();
  wireEmbed();
  $('retry').addEventListener('click', async () => {
    if ((await loadHub()) !== 'found') return;
    $('page-heading').focus();
    await rest();
  });
  if ((await loadHub()) === 'found') await rest();
}

start().then(() => resolveReady(), (e) => {
  console.error(e);
  $('status').textContent = t('status.failed', { reason: problemText(e) });
  resolveReady();
});
