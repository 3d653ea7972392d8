// The district profile in the URL: /omrade/{id}?minutes=10&profile=walk&med={id}&lang=en&contrast=high
//   {id}      the district (as in /api/collections/districts), from the path
//   minutes   1–60 (default 10; the page offers 5, 10, 15 and 20)
//   profile   walk | slow | wheelchair (default walk)
//   med       a second district shown beside it in every table ("sammenlign med")
//   lang      nb | en (default nb)
//   contrast=high  the kit's high-contrast mode and basemap

import { $ } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { replaceQuery, withQuery } from '../kit/url.js';
import { updateLanguageLinks } from '../kit/languages.js';
import { PROFILES } from '../kit/domain.js';

export const MINUTE_CHOICES = [5, 10, 15, 20];
export const DEFAULT = { minutes: 10, profile: 'walk', lang: 'nb' };
export const MAX_MINUTES = 60;

const ID = /^[\w.:-]{1,100}$/;

/** The district id of `/omrade/{id}` (the app path: kit/base.js `appPath()`), or null. */
export function idFromPath(pathname) {
  const m = /^\/omrade\/([^/]+)\/?$/.exec(pathname);
  if (!m) return null;
  try {
    const id = decodeURIComponent(m[1]).trim();
    return id ? id : null;
  } catch {
    return null;
  }
}

export function parseUrl(search, id) {
  const q = new URLSearchParams(search);
  const minutes = Number(q.get('minutes'));
  const med = q.get('med');
  return {
    id,
    minutes: Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_MINUTES ? minutes : DEFAULT.minutes,
    profile: PROFILES.includes(q.get('profile')) ? q.get('profile') : DEFAULT.profile,
    med: med && ID.test(med) && med !== id ? med : null,
    lang: q.get('lang') ?? DEFAULT.lang,
    contrast: q.get('contrast') === 'high' ? 'high' : null,
  };
}

/** The query of state `s` (`changes` override it: another language, no comparison, …). */
export function serialize(s, changes = {}) {
  const x = { ...s, ...changes };
  const q = new URLSearchParams();
  q.set('minutes', String(x.minutes));
  if (x.profile !== DEFAULT.profile) q.set('profile', x.profile);
  if (x.med) q.set('med', x.med);
  if (x.lang && x.lang !== DEFAULT.lang) q.set('lang', x.lang);
  if (x.contrast === 'high') q.set('contrast', 'high');
  return q.toString();
}

/** Another district's profile with the same walking time, language and contrast (no comparison). */
export const profileHref = (id, s) => withQuery(at(`/omrade/${encodeURIComponent(id)}`), serialize(s, { med: null }));

/** Language and contrast only, for the other pages' links. */
function siteQuery(s) {
  const q = new URLSearchParams();
  if (s.lang && s.lang !== DEFAULT.lang) q.set('lang', s.lang);
  if (s.contrast === 'high') q.set('contrast', 'high');
  return q.toString();
}

/** The address bar, the language links and the links to the other pages. */
export function writeUrl(s) {
  replaceQuery(serialize(s));
  updateLanguageLinks((code) => withQuery(location.pathname, serialize(s, { lang: code })));
  const site = siteQuery(s);
  for (const [id, path] of [['residents-link', at('/')], ['planner-link', at('/planner')],
    ['not-found-residents', at('/')], ['not-found-planner', at('/planner')], ['needs-link', at('/')]]) {
    const a = $(id);
    if (a) a.href = withQuery(path, site);
  }
  // The residents' proposals in this district, as the nærutvalg reads them.
  const proposals = $('participation-link');
  if (proposals) {
    const q = new URLSearchParams(site);
    if (s.id) q.set('omrade', s.id);
    proposals.href = withQuery(at('/medvirkning'), q.toString());
  }
}
