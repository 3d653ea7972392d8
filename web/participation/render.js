// The nærutvalg's list drawn: a table of the published proposals, most supported first (a
// card per proposal on a narrow screen, each cell named by its column; whole on paper), and
// the districts to choose from. Titles, texts and answers are Norwegian: lang="nb" in English.

import { h } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, has, currentLanguage, formatNumber, formatDate } from '../kit/i18n.js';
import { KINDS } from '../kit/domain.js';
import { pageHref, siteQuery } from './url.js';
import { withQuery } from '../kit/url.js';

/** The `lang` of Norwegian free text: null when the page is in Bokmål. */
export const nbLang = () => (currentLanguage() === 'nb' ? null : 'nb');

export function categoryLabel(c) {
  if (KINDS.includes(c) && has(`kinds.${c}`)) return t(`kinds.${c}`);
  return has(`categories.${c}`) ? t(`categories.${c}`) : String(c ?? '');
}

export const statusLabel = (s) => (has(`statuses.${s}`) ? t(`statuses.${s}`) : String(s ?? ''));

const num = (v) => (v == null ? t('table.none') : formatNumber(v));

/**
 * The latest answer: status, date and its text. The API lists `answers` oldest first (in the
 * order they were written), so the latest is the last; their dates alone cannot tell two
 * answers of the same day apart.
 */
function latestAnswer(p) {
  const list = Array.isArray(p.answers) ? p.answers : [];
  const a = list[list.length - 1];
  if (!a) return [t('table.no_answer')];
  return [
    h('span', { className: 'answer-status', textContent: statusLabel(a.status) }),
    a.at ? ` (${formatDate(String(a.at).slice(0, 10))})` : '',
    a.answer ? h('span', { lang: nbLang(), textContent: `: ${a.answer}` }) : null,
  ];
}

const COLUMNS = [
  ['category', 'table.category'], ['status', 'table.status'], ['supports', 'table.supports', 'num'],
  ['homes', 'table.homes', 'num'], ['residents', 'table.residents', 'num'], ['homes_without', 'table.homes_without', 'num'],
  ['answer', 'table.answer'], ['published', 'table.published'],
];

/** The residents' map at the proposal, in the page's language and contrast. */
function mapHref(f, state) {
  const c = f.geometry?.coordinates;
  if (!c) return null;
  const q = new URLSearchParams(siteQuery(state));
  q.set('center', `${Number(c[0].toFixed(5))},${Number(c[1].toFixed(5))}`);
  q.set('zoom', '16');
  return withQuery(at('/'), q.toString().replace(/%2C/gi, ','));
}

function cells(f) {
  const p = f.properties ?? {};
  const c = p.catchment;
  const without = c?.kind ? num(c.homes_without) : t('table.not_facility');
  return {
    category: { text: categoryLabel(p.category), value: p.category },
    status: { text: statusLabel(p.status), value: p.status },
    supports: { text: num(p.supports ?? 0), value: p.supports ?? 0 },
    homes: { text: c ? num(c.homes) : t('table.none'), value: c?.homes },
    residents: { text: c ? num(c.residents) : t('table.none'), value: c?.residents },
    homes_without: { text: without, value: c?.homes_without },
    answer: { nodes: latestAnswer(p), value: p.answers?.length ?? 0 },
    published: { text: p.published ? formatDate(p.published) : '', value: p.published },
  };
}

/** The table of proposals (a caption, a row header per proposal: its title and text). */
export function proposalTable(features, { caption, state }) {
  const head = h('thead', {}, h('tr', {},
    h('th', { scope: 'col', textContent: t('table.title') }),
    ...COLUMNS.map(([key, label, cls]) => h('th', { scope: 'col', className: cls ?? '', dataset: { key }, textContent: t(label) }))));
  const rows = features.map((f) => {
    const p = f.properties ?? {};
    const id = p.id ?? f.id;
    const href = mapHref(f, state);
    const title = href ? h('a', { href, lang: nbLang(), textContent: p.title ?? '' }) : h('span', { lang: nbLang(), textContent: p.title ?? '' });
    const c = cells(f);
    return h('tr', { dataset: { proposalId: String(id) } },
      h('th', { scope: 'row' },
        h('span', { className: 'proposal-title' }, title),
        p.text ? h('span', { className: 'proposal-text', lang: nbLang(), textContent: p.text }) : null,
        p.kommunedel?.name || p.district?.name
          ? h('span', { className: 'proposal-where', textContent: [p.district?.name, p.kommunedel?.name].filter(Boolean)
            .filter((x, i, all) => all.indexOf(x) === i).join(', ') })
          : null),
      ...COLUMNS.map(([key, label, cls]) => {
        const cell = c[key];
        return h('td', {
          className: cls ?? '', dataset: { key, label: t(label), value: cell.value == null ? '' : String(cell.value) },
        }, ...(cell.nodes ?? [cell.text]));
      }));
  });
  const captionId = 'proposal-table-caption';
  return h('div', { className: 'table-wrap', role: 'region', tabIndex: 0, 'aria-labelledby': captionId },
    h('table', { id: 'proposal-table', className: 'data' },
      h('caption', { id: captionId, textContent: caption }),
      head, h('tbody', {}, rows)));
}

/** The districts to choose from, each a link to its list (with how many proposals it has). */
export function districtList(districts, counts, state) {
  return districts.map((d) => {
    const n = counts.get(String(d.id)) ?? 0;
    return h('li', {},
      h('a', { href: pageHref(state, { omrade: String(d.id) }), dataset: { id: String(d.id) }, textContent: d.name ?? String(d.id) }),
      ' ', h('span', { className: 'count', textContent: t('choose.count', { count: n }) }));
  });
}
