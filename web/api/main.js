// The OGC API for people browsing it (issue 17 item 3): `f=html`, or a browser's own request
// without `f`, on /api, /api/conformance, /api/collections, a collection, its queryables, its
// items and one item. The server answers with api.html holding the very JSON document the API
// would have given (`#api-document`), its kind (`<meta name="naermiljo-api-kind">`) and, for
// features, the CRS of their coordinates (`<meta name="naermiljo-content-crs">`); this page
// draws it, the way pygeoapi and ldproxy do: breadcrumbs, a heading, the document as lists and
// tables, a small map of the features, links to the other formats and to the other documents
// as HTML pages (links.js).
//
// The parts: context.js (what the page knows), links.js (addresses and formats), render.js
// (each kind of document), values.js (property values), map.js. Strings:
// /static/i18n/api/{lang}.json. Language: `lang` in the address when there is one, else the
// browser's first language the page has (nb for nn and no), else Bokmål; the language links
// switch in place. Contrast: `contrast=high`, else the system's "more contrast".

import { $, h, announce, keepFocus } from '../kit/dom.js';
import { at, appPath } from '../kit/base.js';
import { loadLanguages, setLanguage, currentLanguage, availableLanguages, t, tNodes, applyStatic } from '../kit/i18n.js';
import { includeParts } from '../kit/parts.js';
import { initialContrast, showContrast } from '../kit/contrast.js';
import { renderLanguageLinks } from '../kit/languages.js';
import { relabelControls } from '../kit/map.js';
import { page } from './context.js';
import { parsePath, bareCrs, htmlView } from './links.js';
import { renderPage } from './render.js';
import { startMap, showMapNote } from './map.js';

let resolveReady;
window.app = {
  ready: new Promise((ok) => { resolveReady = ok; }),
  get kind() { return page.kind; },
  get doc() { return page.doc; },
  get lang() { return page.lang; },
};

const meta = (name) => document.querySelector(`meta[name="${name}"]`)?.content ?? null;

/** The JSON document the server put in the page, or null. */
function readDocument() {
  const el = $('api-document');
  if (!el) return null;
  try {
    return JSON.parse(el.textContent);
  } catch (e) {
    console.error('api-document:', e);
    return null;
  }
}

/** The browser's first language that the page has (nn and no read as nb), else null. */
function browserLanguage(languages) {
  for (const tag of navigator.languages ?? [navigator.language]) {
    let code = String(tag).toLowerCase().split('-')[0];
    if (code === 'nn' || code === 'no') code = 'nb';
    if (Object.hasOwn(languages, code)) return code;
  }
  return null;
}

/** The collection's own document, for its title on the pages below it (null when it cannot be had). */
async function loadCollection(id) {
  try {
    const r = await fetch(at(`/api/collections/${encodeURIComponent(id)}`), { headers: { Accept: 'application/json' } });
    return r.ok ? await r.json() : null;
  } catch {
    return null;
  }
}

/** This page in language `code` (the address's `lang`; kept by the links when the address has it). */
function languageHref(code) {
  const url = new URL(location.href);
  url.searchParams.set('lang', code);
  return url.href;
}

function renderLanguages() {
  renderLanguageLinks(availableLanguages(), currentLanguage(), { href: languageHref, onPick: switchLanguage });
}

async function switchLanguage(code) {
  page.lang = await setLanguage(code);
  if (new URLSearchParams(location.search).has('lang')) history.replaceState(null, '', languageHref(page.lang));
  await keepFocus(() => {
    applyStatic();
    renderLanguages();
    renderPage();
    showMapNote();
    if (page.map) relabelControls(page.map);
  });
  announce(t('lang.switched'));
}

function noDocument() {
  $('page-heading').textContent = t('landing.heading');
  $('status').replaceChildren(...tNodes('page.no_document', {
    link: h('a', { href: htmlView(at('/api')) }, t('page.no_document_link')),
  }));
}

async function start() {
  const q = new URLSearchParams(location.search);
  page.path = parsePath(appPath());
  page.kind = meta('naermiljo-api-kind') ?? page.path?.kind ?? null;
  page.crs = bareCrs(meta('naermiljo-content-crs')) || null;
  page.doc = readDocument();
  page.contrast = initialContrast(q.get('contrast') === 'high' ? 'high' : null);
  showContrast(page.contrast);
  const [languages] = await Promise.all([
    loadLanguages({ dir: '/static/i18n/api', onlyListed: true, missing: 'missing api string', fallback: { nb: 'Norsk (bokmål)', en: 'English' } }),
    includeParts(),
  ]);
  page.lang = await setLanguage(q.get('lang') ?? browserLanguage(languages) ?? 'nb');
  applyStatic();
  renderLanguages();
  if (!page.doc || !page.kind) {
    noDocument();
    return;
  }
  $('status').textContent = t('page.loading');
  const collection = page.path?.collection;
  if (page.kind === 'collection') page.collectionDoc = page.doc;
  else if (collection) page.collectionDoc = await loadCollection(collection);
  renderPage();
  $('status').textContent = '';
  await startMap();
}

start().then(() => resolveReady(), (e) => {
  console.error(e);
  $('status').textContent = t('page.failed', { reason: e?.message ?? String(e) });
  resolveReady();
});
