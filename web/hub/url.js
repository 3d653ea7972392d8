// The knutepunkt's page in the URL: /knutepunkt/{id}?lang=en&contrast=high&embed=1
//   {id}      the hub (a facility id, as in /api/collections/facilities/items/{id}), from the path
//   lang      nb | en (default nb)
//   contrast=high  the kit's high-contrast mode and basemap
//   embed=1   for an iframe on the municipality's site: no site header or footer

import { $ } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { replaceQuery, withQuery } from '../kit/url.js';
import { updateLanguageLinks } from '../kit/languages.js';

export const DEFAULT_LANG = 'nb';

/** The id of `/knutepunkt/{id}` (the app path: kit/base.js `appPath()`), or null. */
export function idFromPath(pathname) {
  const m = /^\/knutepunkt\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  try {
    const id = decodeURIComponent(m[1]).trim();
    return id || null;
  } catch {
    return null;
  }
}

export function parseUrl(search, id) {
  const q = new URLSearchParams(search);
  return {
    id,
    lang: q.get('lang') ?? DEFAULT_LANG,
    contrast: q.get('contrast') === 'high' ? 'high' : null,
    embed: q.get('embed') === '1' || q.get('embed') === 'true',
  };
}

/** The query of state `s` (`changes` override it: another language, …). */
export function serialize(s, changes = {}) {
  const x = { ...s, ...changes };
  const q = new URLSearchParams();
  if (x.lang && x.lang !== DEFAULT_LANG) q.set('lang', x.lang);
  if (x.contrast === 'high') q.set('contrast', 'high');
  if (x.embed) q.set('embed', '1');
  return q.toString();
}

/** Language and contrast only, for links to the other pages. */
export function siteQuery(s) {
  return serialize(s, { embed: false });
}

/** This hub's page for an iframe: its full address with embed=1 (and the language when not Bokmål). */
export const embedUrl = (s) => `${location.origin}${withQuery(location.pathname, serialize(s, { embed: true, contrast: null }))}`;

/** The address bar, the language links and the links to the other pages. */
export function writeUrl(s) {
  replaceQuery(serialize(s));
  updateLanguageLinks((code) => withQuery(location.pathname, serialize(s, { lang: code })));
  for (const id of ['residents-link', 'not-found-residents']) {
    const a = $(id);
    if (a) a.href = withQuery(at('/'), siteQuery(s));
  }
}
