// What the page shows of the hub: its name, address, district, state now and its hours for the
// next seven days (the heading's facts), its services with their state, hours (the same weekly
// table, kit/week.js; the text as recorded only where the server could not read it) and contact, the next seven days' activities held
// there (examples marked «Eksempel», as on the residents' map), and the volunteer needs within
// 15 minutes' walk. In an iframe, links to other sites open in a new tab.

import { $, h } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, tNodes, freeLang, formatSession, formatClock, formatDate } from '../kit/i18n.js';
import { withQuery } from '../kit/url.js';
import { weekTable } from '../kit/week.js';
import { page } from './context.js';
import { siteQuery } from './url.js';
import { stateLine, nb, serviceLabel, hoursCode, contactNode } from './format.js';

export const NEEDS_MINUTES = 15;

/** The hub's name, or its number when it has none. */
export const hubName = () => page.hub?.properties?.name || t('page.unnamed', { id: page.state.id });

/** Links that leave the page: in an iframe they open in the whole window. */
const leaving = () => (page.state.embed ? { target: '_top' } : {});

/** A link to another site (http(s), another origin): in an iframe it opens in a new tab, as most sites refuse to be framed. */
function away(node) {
  if (page.state.embed && node.tagName === 'A' && /^https?:$/.test(node.protocol) && node.origin !== location.origin) {
    Object.assign(node, { target: '_blank', rel: 'noopener' });
  }
  return node;
}

const fact = (term, ...value) => [h('dt', { textContent: term }), h('dd', {}, ...value)];

/**
 * Opening hours as a fact: the next seven days as a table (term and table each a whole row),
 * or, without a week (a text the server could not read), the text as recorded; none without either.
 */
function hoursFact(term, week, text, label) {
  const table = weekTable(week, { label });
  if (table) return [h('dt', { className: 'week-term', textContent: term }), h('dd', { className: 'week-value' }, table)];
  return text ? fact(term, hoursCode(text)) : [];
}

export function renderIdentity() {
  const p = page.hub.properties;
  const heading = $('page-heading');
  heading.replaceChildren(p.name ? nb(p.name) : hubName());
  document.title = t('page.title', { name: hubName() });
  const facts = [];
  if (p.address) facts.push(...fact(t('facts.address'), nb(p.address)));
  if (p.district) {
    const link = p.district_id != null
      ? h('a', {
        id: 'district-link', href: withQuery(at(`/omrade/${encodeURIComponent(p.district_id)}`), siteQuery(page.state)),
        lang: freeLang(), textContent: p.district, ...leaving(),
      })
      : nb(p.district);
    facts.push(...fact(t('facts.district'), link));
  }
  const now = stateLine('span', 'hub-state', p);
  if (now) facts.push(...fact(t('facts.now'), now));
  facts.push(...hoursFact(t('facts.hours'), p.opening_hours_week, p.opening_hours, p.name ? nb(p.name) : hubName()));
  $('facts').replaceChildren(...facts);
  $('facts').hidden = facts.length === 0;
}

function serviceItem(s, now, i) {
  const label = serviceLabel(s);
  const rows = [];
  if (s.contact) rows.push(...fact(t('services.contact'), away(contactNode(s.contact))));
  rows.push(...hoursFact(t('services.hours'), now?.week, s.opening_hours, h('span', { lang: label.lang, textContent: label.text })));
  return h('li', { className: 'service', dataset: { service: s.service, index: String(i) } },
    h('h3', { className: 'service-label', lang: label.lang, textContent: label.text }),
    s.name ? nb(s.name, 'p', { className: 'service-name' }) : null,
    stateLine('p', 'service-state', now ?? {}),
    rows.length ? h('dl', { className: 'service-facts' }, ...rows) : null);
}

export function renderServices() {
  const p = page.hub.properties;
  const list = Array.isArray(p.services) ? p.services : [];
  const now = Array.isArray(p.services_now) ? p.services_now : [];
  $('services').replaceChildren(list.length
    ? h('ul', { className: 'services', 'aria-labelledby': 'services-heading' }, list.map((s, i) => serviceItem(s, now[i], i)))
    : h('p', { className: 'empty', textContent: t('services.none') }));
}

/** «tirsdag 4. mars kl. 17.00–19.00»: a session's day and time (Oslo time). */
function sessionTime(s) {
  const start = formatSession(s.start);
  const end = s.end ? formatClock(s.end) : '';
  return end ? t('week.time', { start, end }) : start;
}

/** The «Eksempel» badge of the demo's example data (its meaning for screen readers too), as on the residents' map. */
const exampleBadge = () => h('span', { className: 'badge badge-example', textContent: t('week.example') },
  h('span', { className: 'visually-hidden', textContent: `: ${t('week.example_explained')}` }));

function sessionItem(s) {
  return h('li', { className: 'session', dataset: { activityId: String(s.activity_id) } },
    h('p', { className: 'session-time' }, h('time', { dateTime: s.start, textContent: sessionTime(s) })),
    h('p', { className: 'session-title' }, nb(s.title), s.example ? [' ', exampleBadge()] : null),
    s.organisation ? h('p', { className: 'session-org' }, ...tNodes('week.organiser', { name: nb(s.organisation) })) : null);
}

/** A part's answer that failed: what to do about it, with a button that asks again. */
function failedPart(key, retry) {
  return h('div', { className: 'part-problem', role: 'alert' },
    h('p', { textContent: t(key) }),
    h('button', { type: 'button', className: 'small', textContent: t('status.retry'), on: { click: () => retry(true) } }));
}

export function renderWeek(retry) {
  const w = page.week;
  if (!w) {
    $('week').replaceChildren(h('p', { className: 'hint', textContent: t('week.loading') }));
    return;
  }
  if (w instanceof Error) {
    $('week-range').textContent = '';
    $('week').replaceChildren(failedPart('week.failed', retry));
    return;
  }
  $('week-range').textContent = t('week.range', { from: formatDate(w.from), to: formatDate(w.to) });
  const sessions = [...w.sessions].sort((a, b) => a.start.localeCompare(b.start));
  $('week').replaceChildren(sessions.length
    ? h('ul', { className: 'sessions', 'aria-labelledby': 'week-heading' }, sessions.map(sessionItem))
    : h('p', { id: 'week-empty', className: 'empty', textContent: t('week.none') }));
}

function needItem(f) {
  const p = f.properties;
  const bits = [];
  if (p.organisation?.name) bits.push(...tNodes('needs.organiser', { name: nb(p.organisation.name) }));
  if (p.time_commitment) bits.push(bits.length ? ' · ' : '', nb(p.time_commitment));
  return h('li', { className: 'need', dataset: { needId: String(f.id) } },
    nb(p.title, 'p', { className: 'need-title' }),
    bits.length ? h('p', { className: 'need-meta' }, ...bits) : null,
    p.walk_minutes != null ? h('p', { className: 'need-walk', textContent: t('needs.walk', { count: p.walk_minutes }) }) : null);
}

export function renderNeeds(retry) {
  const n = page.needs;
  const [lon, lat] = page.hub.geometry.coordinates;
  const q = new URLSearchParams(siteQuery(page.state));
  q.set('point', `${lon},${lat}`);
  q.set('minutes', String(NEEDS_MINUTES));
  Object.assign($('needs-link'), { href: withQuery(at('/'), q.toString().replace(/%2C/gi, ',')), ...leaving() });
  if (!n) {
    $('needs').replaceChildren(h('p', { className: 'hint', textContent: t('needs.loading') }));
    return;
  }
  if (n instanceof Error) {
    $('needs').replaceChildren(failedPart('needs.failed', retry));
    return;
  }
  const features = [...n.features].sort((a, b) => (a.properties.walk_minutes ?? 0) - (b.properties.walk_minutes ?? 0));
  $('needs').replaceChildren(features.length
    ? h('ul', { className: 'needs', 'aria-labelledby': 'needs-heading' }, features.map(needItem))
    : h('p', { id: 'needs-empty', className: 'empty', textContent: t('needs.none') }));
}
