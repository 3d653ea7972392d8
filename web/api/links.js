// Addresses on the API's pages: which document a path is, the same document as HTML or in
// another format, and the words for a link's relation and media type. The JSON documents'
// links are whole URLs (origin and any path prefix, from the server); the page's own paths go
// through kit/base.js.

import { appPath, at } from '../kit/base.js';
import { t, has } from '../kit/i18n.js';
import { readable } from '../kit/url.js';
import { page } from './context.js';

export const CRS84 = 'http://www.opengis.net/def/crs/OGC/1.3/CRS84';

/** A CRS as written in a Content-Crs header (`<URI>`) or bare, as the bare URI. */
export const bareCrs = (value) => (value ?? '').trim().replace(/^<(.*)>$/, '$1');

/**
 * What an app path of the API is (as src/http/browse.rs `kind_of`): `{ kind, collection, item }`
 * with the ids decoded, or null for any other path.
 */
export function parsePath(path) {
  const m = /^\/api(\/.*)?$/.exec(path);
  if (!m) return null;
  const parts = (m[1] ?? '').split('/').slice(1);
  const named = (s) => s !== undefined && s !== '';
  const id = (s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  const [a, c, b, f] = parts;
  if (parts.length === 0 || (parts.length === 1 && a === '')) return { kind: 'landing' };
  if (parts.length === 1 && a === 'conformance') return { kind: 'conformance' };
  if (parts.length === 1 && a === 'collections') return { kind: 'collections' };
  if (a !== 'collections' || !named(c)) return null;
  if (parts.length === 2) return { kind: 'collection', collection: id(c) };
  if (parts.length === 3 && b === 'queryables') return { kind: 'queryables', collection: id(c) };
  if (parts.length === 3 && b === 'items') return { kind: 'items', collection: id(c) };
  if (parts.length === 4 && b === 'items' && named(f)) return { kind: 'item', collection: id(c), item: id(f) };
  return null;
}

/** The parameters the page itself reads (not the API's): kept on its links, never sent as formats. */
const PAGE_PARAMS = ['lang', 'contrast'];

/** `href` (whole, or relative to this page) with `f` set to `format` and the page's own parameters as asked. */
function withFormat(href, format, pageParams = {}) {
  const url = new URL(href, location.href);
  const q = url.searchParams;
  for (const p of PAGE_PARAMS) q.delete(p);
  q.set('f', format);
  for (const [k, v] of Object.entries(pageParams)) if (v) q.set(k, v);
  url.search = readable(q);
  return url.href;
}

/**
 * The page's own parameters that the next page should keep: the language and contrast, when
 * this page's address had them (the server then takes them on the API's paths).
 */
export function carried() {
  const q = new URLSearchParams(location.search);
  return Object.fromEntries(PAGE_PARAMS.filter((p) => q.has(p)).map((p) => [p, p === 'lang' ? page.lang : q.get(p)]));
}

/** The HTML view of a document of the API (`f=html`), or null when `href` is not one. */
export function htmlView(href) {
  let url;
  try {
    url = new URL(href, location.href);
  } catch {
    return null;
  }
  if (!/^https?:$/.test(url.protocol) || !parsePath(appPath(url.pathname))) return null;
  return withFormat(url.href, 'html', carried());
}

/** The HTML view of an app path ('/api/collections'), for the breadcrumbs. */
export const viewOf = (appPathWithQuery) => withFormat(at(appPathWithQuery), 'html', carried());

/** The same document in format `f` (json, jsonld, csv): `href`'s query with `f` set. */
export const formatHref = (href, f) => withFormat(href, f);

/** This page's document in format `f`. */
export const selfAs = (f) => formatHref(location.href, f);

/** The `f` value and label of a media type, or null for one the API has no `f` for. */
export function formatOfType(type) {
  const base = (type ?? '').split(';')[0].trim().toLowerCase();
  switch (base) {
    case 'application/geo+json': return { f: 'json', label: t('formats.geojson') };
    case 'application/json': return { f: 'json', label: t('formats.json') };
    case 'application/schema+json': return { f: 'json', label: t('formats.schema') };
    case 'application/ld+json': return { f: 'jsonld', label: t('formats.jsonld') };
    case 'text/csv': return { f: 'csv', label: t('formats.csv') };
    case 'text/html': return { f: 'html', label: t('formats.html') };
    default: return null;
  }
}

/** The label of a media type for a link to a file that is not one of the API's documents. */
export function typeLabel(type) {
  const base = (type ?? '').split(';')[0].trim().toLowerCase();
  if (base === 'application/vnd.oai.openapi+json') return t('formats.openapi');
  return formatOfType(type)?.label ?? (base || null);
}

/** Words for a link relation: ours for the usual ones, else the relation as written. */
export function relLabel(rel) {
  const short = (rel ?? '').replace(/^http:\/\/www\.opengis\.net\/def\/rel\/ogc\/1\.0\//, '');
  return has(`rel.${short}`) ? t(`rel.${short}`) : short;
}

/** The short name of an OGC API relation URI (`…/rel/ogc/1.0/queryables` → `queryables`). */
export const shortRel = (rel) => (rel ?? '').replace(/^http:\/\/www\.opengis\.net\/def\/rel\/ogc\/1\.0\//, '');

/** The first link of `doc` with relation `rel` (full or short OGC name). */
export const linkOf = (doc, rel) => (doc?.links ?? []).find((l) => l.rel === rel || shortRel(l.rel) === rel) ?? null;

/**
 * Formats the API gives for a collection's features beyond GeoJSON, checked against the server
 * (the documents do not list them all): `f` and label, by collection and kind of page.
 */
const EXTRA_FORMATS = {
  activities: { items: ['jsonld'], item: ['jsonld'] },
  proposals: { items: ['csv'] },
};

/**
 * The other formats of this page's document: JSON (GeoJSON for features), the document's own
 * `alternate` links, and what the collection is known to give. `[{ f, label, href }]`.
 */
export function otherFormats(doc, kind, collection) {
  const features = kind === 'items' || kind === 'item';
  const list = [{ f: 'json', label: t(features ? 'formats.geojson' : kind === 'queryables' ? 'formats.schema' : 'formats.json'), href: selfAs('json') }];
  const seen = new Set(['json', 'html']);
  for (const l of doc?.links ?? []) {
    if (l.rel !== 'alternate') continue;
    const fmt = formatOfType(l.type);
    if (!fmt || seen.has(fmt.f)) continue;
    seen.add(fmt.f);
    list.push({ f: fmt.f, label: fmt.label, href: l.href });
  }
  for (const f of EXTRA_FORMATS[collection]?.[kind] ?? []) {
    if (seen.has(f)) continue;
    seen.add(f);
    list.push({ f, label: t(`formats.${f}`), href: selfAs(f) });
  }
  return list;
}
