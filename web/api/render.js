// The page for each kind of document: breadcrumbs, heading, a summary with the other formats,
// and the document itself (links, conformance classes, the collections' table, a collection's
// facts, its queryables, its items as a table with paging, one item's properties). Drawn again
// on a language switch; the map (map.js) stays.

import { $, h } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, formatNumber } from '../kit/i18n.js';
import { ATTRIBUTION } from '../kit/map.js';
import { page } from './context.js';
import {
  htmlView, formatHref, formatOfType, typeLabel, relLabel, shortRel, linkOf, otherFormats,
} from './links.js';
import { valueNode, freeText } from './values.js';

/** Descriptions and the servers' link titles are in English. */
const API_TEXT_LANG = 'en';

/** A collection's title in the page's language: «Nb / En» gives the page's half. */
export function localTitle(title) {
  if (typeof title !== 'string' || !title) return null;
  const parts = title.split(' / ');
  if (parts.length !== 2) return title;
  return page.lang === 'nb' ? parts[0] : parts[1];
}

/** The title of the collection this page is in (or its id). */
export const collectionTitle = () => localTitle(page.collectionDoc?.title) ?? page.path?.collection ?? '';

const NAME_KEYS = ['name', 'title', 'label', 'forest_name'];
const KIND_KEYS = ['kind', 'category', 'class', 'level'];
/** Properties worth a column in the items' table, in this order (at most three that the page has). */
const KEY_PROPS = ['address', 'district', 'parent', 'postcode', 'city', 'area_ha', 'age_min', 'age_max',
  'price_nok', 'valid_until', 'status', 'supports', 'next_session'];

/** A feature's name, or null. */
export function featureName(f) {
  const p = f?.properties ?? {};
  for (const k of NAME_KEYS) if (typeof p[k] === 'string' && p[k].trim()) return p[k];
  return null;
}

/** What a feature is, in the page's language where the API gives a label (`kind_label_en`). */
function kindOf(f, key) {
  const p = f?.properties ?? {};
  if (!key || p[key] == null) return null;
  return p[`${key}_label_${page.lang}`] ?? p[`${key}_label_nb`] ?? String(p[key]);
}

/** The heading of the page. */
export function heading() {
  const { doc, kind } = page;
  switch (kind) {
    case 'landing': return doc?.title ?? t('landing.heading');
    case 'conformance': return t('conformance.heading');
    case 'collections': return t('collections.heading');
    case 'collection': return collectionTitle();
    case 'queryables': return t('queryables.heading', { collection: collectionTitle() });
    case 'items': return t('items.heading', { collection: collectionTitle() });
    case 'item': return featureName(doc) ?? t('item.heading_id', { id: String(doc?.id ?? page.path?.item ?? '') });
    default: return t('landing.heading');
  }
}

/** The breadcrumbs: `[label, href]`, the last one this page (no href). */
function crumbs() {
  const { kind, path } = page;
  const id = encodeURIComponent(path?.collection ?? '');
  const list = [[t('crumbs.api'), htmlView(at('/api'))]];
  if (kind === 'conformance') list.push([t('crumbs.conformance')]);
  if (['collections', 'collection', 'queryables', 'items', 'item'].includes(kind)) {
    list.push([t('crumbs.collections'), htmlView(at('/api/collections'))]);
  }
  if (['collection', 'queryables', 'items', 'item'].includes(kind)) {
    list.push([collectionTitle(), htmlView(at(`/api/collections/${id}`))]);
  }
  if (kind === 'queryables') list.push([t('crumbs.queryables')]);
  if (kind === 'items' || kind === 'item') list.push([t('crumbs.items'), htmlView(at(`/api/collections/${id}/items`))]);
  if (kind === 'item') list.push([heading()]);
  list[list.length - 1] = [list[list.length - 1][0]];
  return list;
}

function renderCrumbs() {
  const list = crumbs();
  $('crumb-list').replaceChildren(...list.map(([label, href]) => h('li', {},
    href ? h('a', { href }, label) : h('span', { 'aria-current': 'page' }, label))));
}

/** «Dette dokumentet i andre formater: GeoJSON · JSON-LD». */
function formatsLine() {
  const list = otherFormats(page.doc, page.kind, page.path?.collection);
  return h('p', { className: 'formats', id: 'formats' }, t('formats.label'), ' ',
    ...list.flatMap((x, i) => [i ? ' · ' : null, h('a', { href: x.href, dataset: { format: x.f } }, x.label)]));
}

/** «Kilde: …»: whose data this is (the document's attribution, else the collection's, else the page's). */
function sourceLine() {
  const text = page.doc?.attribution ?? page.collectionDoc?.attribution ?? ATTRIBUTION.join(', ');
  return h('p', { className: 'source' }, t('source.label'), ' ', text);
}

/** A heading (h2) and what follows it, in a section named by it. */
function section(id, title, ...children) {
  return h('section', { id, className: 'part', 'aria-labelledby': `${id}-heading` },
    h('h2', { id: `${id}-heading` }, title), ...children);
}

/**
 * A table in a box that scrolls sideways on its own (a named region the keyboard reaches), so
 * the page never does: `head` the column headings, `rows` the `<tr>`s.
 */
function tableBox(id, caption, head, rows) {
  return h('div', { className: 'table-wrap', role: 'region', tabIndex: 0, 'aria-labelledby': `${id}-caption` },
    h('table', { id },
      h('caption', { id: `${id}-caption`, className: 'visually-hidden' }, caption),
      h('thead', {}, h('tr', {}, head.map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows)));
}

/** A link of a document: to its HTML view when it is one of the API's documents, with its format beside. */
function linkItem(l) {
  const short = shortRel(l.rel);
  const ours = !['related', 'alternate'].includes(short) && relLabel(l.rel) !== short;
  const title = ours || !l.title ? h('span', {}, relLabel(l.rel)) : freeText(l.title, API_TEXT_LANG);
  const fmt = formatOfType(l.type);
  const view = short !== 'alternate' && fmt?.f !== 'html' ? htmlView(l.href) : null;
  const parts = [];
  if (view) {
    parts.push(h('a', { href: view }, title));
    if (fmt) {
      parts.push(' · ', h('a', {
        href: formatHref(l.href, fmt.f),
        'aria-label': t('links.as_format', { title: title.textContent, format: fmt.label }),
      }, fmt.label));
    }
  } else {
    const type = typeLabel(l.type);
    parts.push(h('a', { href: l.href, type: l.type ?? null }, title), type ? ` (${type})` : null);
  }
  parts.push(' ', h('span', { className: 'rel' }, t('links.rel'), ' ', h('code', {}, l.rel)));
  return h('li', { dataset: { rel: short } }, ...parts);
}

function linkList(links, skip = []) {
  const shown = (links ?? []).filter((l) => !['self', 'alternate', ...skip].includes(shortRel(l.rel)));
  return shown.length ? h('ul', { className: 'link-list' }, shown.map(linkItem)) : null;
}

function renderLanding() {
  const doc = page.doc;
  return {
    summary: [h('p', {}, t('landing.intro')), formatsLine()],
    content: [
      doc.description ? freeText(doc.description, API_TEXT_LANG, 'p') : null,
      sourceLine(),
      section('links', t('links.heading'), linkList(doc.links)),
    ],
  };
}

function renderConformance() {
  const classes = page.doc.conformsTo ?? [];
  return {
    summary: [formatsLine()],
    content: [
      h('p', {}, t('conformance.intro', { count: classes.length })),
      h('ul', { className: 'conformance-list' }, classes.map((uri) => h('li', {}, h('a', { href: uri, className: 'long' }, uri)))),
      linkList(page.doc.links),
    ],
  };
}

/** The HTML view and the GeoJSON of a collection's items (`rel=items`). */
function itemsLinks(c) {
  const items = linkOf(c, 'items');
  return items ? { html: htmlView(items.href), geojson: formatHref(items.href, 'json') } : null;
}

function renderCollections() {
  const list = page.doc.collections ?? [];
  const rows = list.map((c) => {
    const title = localTitle(c.title) ?? c.id;
    const self = linkOf(c, 'self');
    const items = itemsLinks(c);
    return h('tr', { dataset: { id: c.id } },
      h('th', { scope: 'row' }, self ? h('a', { href: htmlView(self.href), dataset: { collection: c.id } }, title) : title),
      h('td', {}, h('code', {}, c.id)),
      h('td', { className: 'description' }, c.description ? freeText(c.description, API_TEXT_LANG) : ''),
      h('td', { className: 'nowrap' }, items ? [
        h('a', { href: items.html, dataset: { items: c.id } }, t('collections.items_html'),
          h('span', { className: 'visually-hidden' }, ` ${t('collections.items_context', { title })}`)),
        h('br'),
        h('a', { href: items.geojson, dataset: { geojson: c.id } },
          h('span', { className: 'visually-hidden' }, `${t('collections.geojson_context', { title })} `), t('collections.items_geojson')),
      ] : null));
  });
  return {
    summary: [h('p', {}, t('collections.intro')), formatsLine()],
    content: [
      section('collections', t('collections.caption', { count: list.length }),
        tableBox('collections-table', t('collections.caption', { count: list.length }),
          [t('collections.title'), t('collections.id'), t('collections.description'), t('collections.items')], rows)),
      linkList(page.doc.links),
    ],
  };
}

const num = (v) => formatNumber(v, { maximumFractionDigits: 7 });

function renderCollection() {
  const c = page.doc;
  const bbox = c.extent?.spatial?.bbox?.[0];
  const interval = c.extent?.temporal?.interval?.[0];
  const facts = [[t('collection.id'), h('code', {}, c.id)]];
  if (c.itemType) facts.push([t('collection.item_type'), c.itemType]);
  if (bbox?.length >= 4) {
    const [w, s, e, n] = bbox.length === 6 ? [bbox[0], bbox[1], bbox[3], bbox[4]] : bbox;
    facts.push([t('collection.extent'), t('collection.extent_value', { w: num(w), s: num(s), e: num(e), n: num(n) })]);
  }
  if (interval) {
    facts.push([t('collection.temporal'), t('collection.temporal_value', {
      start: interval[0] ?? t('collection.open'), end: interval[1] ?? t('collection.open'),
    })]);
  }
  const items = itemsLinks(c);
  const queryables = linkOf(c, 'queryables');
  const data = [
    items ? h('li', {}, h('a', { href: items.html, id: 'items-link' }, t('collection.items_html'))) : null,
    items ? h('li', {}, h('a', { href: items.geojson, id: 'items-geojson' }, t('collection.items_geojson'))) : null,
    queryables ? h('li', {}, h('a', { href: htmlView(queryables.href) ?? queryables.href, id: 'queryables-link' }, t('collection.queryables'))) : null,
  ].filter(Boolean);
  const others = linkList(c.links, ['items', 'queryables']);
  const crs = c.crs ?? [];
  return {
    summary: [c.description ? freeText(c.description, API_TEXT_LANG, 'p') : null, formatsLine()],
    content: [
      section('data', t('collection.data_heading'), data.length ? h('ul', { className: 'link-list' }, data) : null),
      section('facts', t('collection.facts'),
        h('dl', { className: 'facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
        sourceLine()),
      crs.length ? section('crs', t('collection.crs_heading'), h('p', {}, t('collection.crs_intro')),
        h('ul', { className: 'crs-list' }, crs.map((uri) => h('li', {}, h('code', { className: 'long' }, uri),
          uri === c.storageCrs ? ` ${t('collection.storage')}` : null)))) : null,
      others ? section('other-links', t('collection.other_links'), others) : null,
    ],
  };
}

/** A queryable's type in words: `string | null`, its format, its values. */
function typeText(q) {
  const types = [q.type].flat().filter(Boolean);
  const parts = [types.join(' | '), q.format].filter(Boolean);
  return [
    h('code', {}, parts.join(', ') || '–'),
    Array.isArray(q.enum) ? h('span', { className: 'enum' }, ' ', t('queryables.values', { values: q.enum.join(', ') })) : null,
  ];
}

function renderQueryables() {
  const props = Object.entries(page.doc.properties ?? {});
  const rows = props.map(([name, q]) => h('tr', { dataset: { name } },
    h('th', { scope: 'row' }, h('code', {}, name)),
    h('td', {}, typeText(q ?? {})),
    h('td', {}, q?.description ? freeText(q.description, API_TEXT_LANG) : (q?.title ?? ''))));
  const caption = t('queryables.caption', { count: props.length });
  return {
    summary: [h('p', {}, t('queryables.intro')), formatsLine()],
    content: [
      section('queryables', caption, tableBox('queryables-table', caption,
        [t('queryables.name'), t('queryables.type'), t('queryables.description')], rows)),
    ],
  };
}

/** The offset of the items page (from its `self` link, else the address). */
function offsetOf(doc) {
  const self = linkOf(doc, 'self');
  for (const href of [self?.href, location.href]) {
    if (!href) continue;
    const v = Number(new URL(href, location.href).searchParams.get('offset'));
    if (Number.isInteger(v) && v >= 0) return v;
  }
  return 0;
}

/** The HTML page of one feature of the items page: its `self` link, else the items' address and its id. */
function itemHref(f) {
  const own = (f.links ?? []).find((l) => l.rel === 'self');
  if (own) return htmlView(own.href);
  const base = new URL(linkOf(page.doc, 'self')?.href ?? location.href, location.href);
  const url = new URL(`${base.pathname.replace(/\/$/, '')}/${encodeURIComponent(String(f.id))}`, base);
  const crs = base.searchParams.get('crs');
  if (crs) url.searchParams.set('crs', crs);
  return htmlView(url.href);
}

/** Paging links (rel prev and next) as HTML pages. */
function paging() {
  const prev = linkOf(page.doc, 'prev');
  const next = linkOf(page.doc, 'next');
  if (!prev && !next) return null;
  return h('nav', { className: 'paging', 'aria-label': t('items.paging') }, h('ul', {},
    prev ? h('li', {}, h('a', { href: htmlView(prev.href), rel: 'prev', id: 'prev-link' }, t('items.prev'))) : null,
    next ? h('li', {}, h('a', { href: htmlView(next.href), rel: 'next', id: 'next-link' }, t('items.next'))) : null));
}

const LIMITS = [10, 50, 100, 500, 1000];

/** «Objekter per side»: a GET form for the same address with another `limit` (from the start). */
function limitForm(returned) {
  const q = new URLSearchParams(location.search);
  const current = Number(q.get('limit')) || Math.max(returned, 0) || 100;
  q.delete('limit');
  q.delete('offset');
  if (!q.has('f')) q.set('f', 'html');
  const options = [...new Set([...LIMITS, current])].sort((a, b) => a - b);
  return h('form', { method: 'get', action: location.pathname, className: 'limit-form' },
    [...q].map(([name, value]) => h('input', { type: 'hidden', name, value })),
    h('label', { htmlFor: 'limit' }, t('items.limit')), ' ',
    h('select', { id: 'limit', name: 'limit' }, options.map((n) => h('option', { value: String(n), selected: n === current }, String(n)))), ' ',
    h('button', { type: 'submit', className: 'small' }, t('items.limit_apply')));
}

function renderItems() {
  const doc = page.doc;
  const features = doc.features ?? [];
  const first = offsetOf(doc) + 1;
  const last = first + features.length - 1;
  const has = (k) => features.some((f) => f.properties && Object.hasOwn(f.properties, k));
  const nameKey = NAME_KEYS.find(has);
  const kindKey = KIND_KEYS.find(has);
  const extras = KEY_PROPS.filter((k) => k !== kindKey && has(k)).slice(0, 3);
  const head = [t('items.id'), nameKey ? t('items.name') : null, kindKey ? t('items.kind') : null,
    ...extras.map((k) => h('code', {}, k))].filter(Boolean);
  const rows = features.map((f) => h('tr', { dataset: { id: String(f.id) } },
    h('th', { scope: 'row' }, h('a', { href: itemHref(f), className: 'item-link' }, String(f.id))),
    nameKey ? h('td', {}, f.properties?.[nameKey] != null ? valueNode(f.properties[nameKey], 'name') : '') : null,
    kindKey ? h('td', {}, kindOf(f, kindKey) ?? '') : null,
    ...extras.map((k) => h('td', {}, f.properties?.[k] !== undefined ? valueNode(f.properties[k], k) : '')),
  ));
  const matched = doc.numberMatched;
  const shown = features.length === 0 ? t('items.none')
    : t(matched == null ? 'items.shown_unknown' : 'items.shown', { first, last, matched: matched ?? 0 });
  const caption = t('items.caption', { first, last });
  return {
    summary: [h('p', { id: 'shown' }, shown), formatsLine(), limitForm(features.length)],
    content: [
      features.length ? section('items', caption, tableBox('items-table', caption, head, rows)) : null,
      paging(),
      sourceLine(),
    ],
  };
}

/** A geometry in words: a point's coordinates, else its type and how many positions it has. */
function geometryText(g) {
  if (!g?.type) return h('span', { className: 'no-value' }, t('item.no_geometry'));
  if (g.type === 'Point') return t('item.geometry_point', { lon: String(g.coordinates[0]), lat: String(g.coordinates[1]) });
  let count = 0;
  const visit = (c) => { if (typeof c[0] === 'number') count++; else c.forEach(visit); };
  if (g.coordinates) visit(g.coordinates);
  return t('item.geometry_other', { type: g.type, count });
}

function renderItem() {
  const f = page.doc;
  const p = f.properties ?? {};
  const kindKey = KIND_KEYS.find((k) => Object.hasOwn(p, k));
  const kind = kindOf(f, kindKey);
  const rows = [
    h('tr', { dataset: { key: 'id' } }, h('th', { scope: 'row' }, h('code', {}, t('item.id'))), h('td', {}, String(f.id ?? ''))),
    ...Object.entries(p).map(([k, v]) => h('tr', { dataset: { key: k } },
      h('th', { scope: 'row' }, h('code', {}, k)), h('td', {}, valueNode(v, k)))),
    h('tr', { dataset: { key: 'geometry' } }, h('th', { scope: 'row' }, h('code', {}, t('item.geometry'))), h('td', {}, geometryText(f.geometry))),
  ];
  const links = linkList(f.links);
  return {
    summary: [kind ? h('p', { className: 'kind' }, kind) : null, formatsLine()],
    content: [
      section('properties', t('item.properties'), tableBox('properties-table', t('item.properties'),
        [t('item.property'), t('item.value')], rows)),
      links ? section('links', t('links.heading'), links) : null,
      sourceLine(),
    ],
  };
}

const RENDERERS = {
  landing: renderLanding,
  conformance: renderConformance,
  collections: renderCollections,
  collection: renderCollection,
  queryables: renderQueryables,
  items: renderItems,
  item: renderItem,
};

/** Draws the page (again) in the current language. */
export function renderPage() {
  const text = heading();
  $('page-heading').textContent = text;
  document.title = t('page.title', { heading: text });
  renderCrumbs();
  const { summary, content } = (RENDERERS[page.kind] ?? renderLanding)();
  $('summary').replaceChildren(...summary.filter(Boolean));
  $('content').replaceChildren(...content.filter(Boolean));
}
