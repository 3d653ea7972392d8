// The audit log: newest first, filtered by collection, person and organisation, as many rows
// as asked for; each row says when (Norway's time), who, what was done to what, and folds out
// the fields before and after.
//
// A facility's row (staff setting its opening hours or a knutepunkt's services, issue 18; an
// import renaming or moving it) is named by the facility's name (the row's own, else asked for
// once per facility) and its services said in words.
//
// The organisation filter also finds the rows about the organisation itself, its members and
// its tokens: the server keeps those with `org_id` empty (the organisation is the row's item,
// or named in `before`/`after`), so its `org_id=` filter alone misses them.

import { $, h } from '../kit/dom.js';
import { t, has } from '../kit/i18n.js';
import { api } from '../org/api.js';
import { selectField, formButtons, fillForm } from '../org/fields.js';
import { admin, orgName, personName, sortedOrgs } from './context.js';
import { dataTable, busy, showProblem, osloStamp } from './ui.js';
import { facilityNames, serviceLabel } from './hours.js';

const COLLECTIONS = ['organisations', 'memberships', 'people', 'api_tokens', 'activities', 'volunteer-needs', 'help_offers', 'sessions',
  'proposals', 'participation_batches', 'facilities'];
const LIMITS = [20, 50, 100, 500];

export function buildAudit() {
  fillForm($('audit-form'),
    h('div', { className: 'filter-row' },
      selectField({ id: 'audit-collection', name: 'collection', label: 'audit.collection' }),
      selectField({ id: 'audit-person', name: 'person_id', label: 'audit.person' }),
      selectField({ id: 'audit-org', name: 'org_id', label: 'audit.org' }),
      selectField({ id: 'audit-limit', name: 'limit', label: 'audit.limit' })),
    formButtons(h('button', { type: 'submit', id: 'audit-show', className: 'primary', dataset: { i18n: 'audit.show' } })));
  $('audit-collection').replaceChildren(new Option(t('audit.all_collections'), ''),
    ...COLLECTIONS.map((c) => new Option(collectionLabel(c), c)));
  $('audit-limit').replaceChildren(...LIMITS.map((n) => new Option(String(n), String(n))));
  $('audit-limit').value = '50';
  $('audit-form').addEventListener('submit', (e) => { e.preventDefault(); busy($('audit-show'), loadAudit); });
  admin.listeners.push(fillChoices);
}

/** The person and organisation choices follow the lists (the chosen ones kept). */
function fillChoices() {
  const keep = (select, pairs, all) => {
    const value = select.value;
    select.replaceChildren(new Option(all, ''), ...pairs.map(([v, label]) => new Option(label, String(v))));
    select.value = pairs.some(([v]) => String(v) === value) ? value : '';
  };
  keep($('audit-person'), admin.people.map((p) => [p.id, t('audit.person_option', { name: p.name, email: p.email })]), t('audit.everyone'));
  keep($('audit-org'), sortedOrgs().map((o) => [o.id, o.name]), t('audit.all_orgs'));
}

const collectionLabel = (c) => (has(`audit.collections.${c}`) ? t(`audit.collections.${c}`) : c);

/** Whether an audit row is about organisation `org`. */
function concerns(r, org) {
  if (r.org_id === org) return true;
  if (r.collection === 'organisations' && r.item_id === org) return true;
  // A token's revocation names only the token.
  if (r.collection === 'api_tokens' && admin.tokens.find((k) => k.id === r.item_id)?.org_id === org) return true;
  return [r.before, r.after].some((v) => v && typeof v === 'object' && (v.org_id === org || v.merged_into === org));
}

export async function loadAudit() {
  showProblem('audit-problem', null);
  const limit = Number($('audit-limit').value) || 50;
  const q = new URLSearchParams({ limit: String(limit) });
  if ($('audit-collection').value) q.set('collection', $('audit-collection').value);
  if ($('audit-person').value) q.set('person_id', $('audit-person').value);
  const org = Number($('audit-org').value) || null;
  let rows;
  try {
    if (org == null) ({ rows } = (await api('GET', `/api/audit?${q}`)).data);
    else {
      const wide = new URLSearchParams(q);
      wide.set('limit', '1000');
      q.set('org_id', String(org));
      const [narrow, all] = await Promise.all([api('GET', `/api/audit?${q}`), api('GET', `/api/audit?${wide}`)]);
      const byId = new Map([...narrow.data.rows, ...all.data.rows].map((r) => [r.id, r]));
      rows = [...byId.values()].filter((r) => concerns(r, org)).sort((a, b) => b.id - a.id).slice(0, limit);
    }
  } catch (e) {
    showProblem('audit-problem', e);
    return;
  }
  await nameFacilities(rows);
  renderAudit(rows);
}

/** The names of the facilities the rows are about, asked for once each (at most 50 at a time). */
async function nameFacilities(rows) {
  const named = (r) => r.after?.name != null || r.before?.name != null;
  const ids = [...new Set(rows.filter((r) => r.collection === 'facilities' && r.item_id != null && !named(r))
    .map((r) => r.item_id))]
    .filter((id) => !facilityNames.has(id)).slice(0, 50);
  await Promise.all(ids.map(async (id) => {
    try {
      const { data } = await api('GET', `/api/collections/facilities/items/${id}`);
      facilityNames.set(id, data.properties?.name || `#${id}`);
    } catch {
      // Unnamed in the list: «nr. {id}».
    }
  }));
}

function who(r) {
  if (r.person_id != null) return personName(r.person_id);
  if (r.token_id != null) return t('audit.by_token', { id: r.token_id });
  if (r.role === 'import') return t('audit.by_import');
  return t('audit.by_system');
}

function what(r) {
  const v = r.after ?? r.before ?? {};
  const obj = typeof v === 'object' && v ? v : {};
  const before = r.before && typeof r.before === 'object' ? r.before : {};
  switch (r.collection) {
    case 'organisations':
      return t('audit.what_org', { name: obj.name ?? before.name ?? orgName(r.item_id) });
    case 'memberships':
      return t('audit.what_membership', {
        name: personName(obj.person_id ?? before.person_id), org: orgName(obj.org_id ?? before.org_id),
      });
    case 'people':
      return t('audit.what_person', { name: obj.name ?? before.name ?? personName(r.item_id) });
    case 'api_tokens': {
      const label = obj.label ?? before.label ?? admin.tokens.find((k) => k.id === r.item_id)?.label;
      return label ? t('tokens.named', { id: r.item_id, label }) : t('tokens.unnamed', { id: r.item_id });
    }
    case 'facilities': {
      const name = obj.name ?? before.name ?? facilityNames.get(r.item_id);
      return name ? t('audit.what_item', { title: name })
        : t('audit.what_other', { what: collectionLabel(r.collection), id: r.item_id ?? '' });
    }
    case 'activities':
    case 'volunteer-needs':
      return t('audit.what_item', { what: collectionLabel(r.collection), title: obj.title ?? before.title ?? `#${r.item_id}` });
    default:
      return t('audit.what_other', { what: collectionLabel(r.collection), id: r.item_id ?? '' });
  }
}

function actionLabel(r) {
  if (r.collection === 'api_tokens' && r.action === 'delete') return t('audit.revoked');
  if (r.collection === 'organisations' && r.action === 'delete' && r.after?.merged_into != null) {
    return t('audit.merged_into', { org: orgName(r.after.merged_into) });
  }
  return has(`audit.actions.${r.action}`) ? t(`audit.actions.${r.action}`) : r.action;
}

const shown = (v) => (v === undefined ? '–' : typeof v === 'string' ? v : JSON.stringify(v));

/** A facility's field in words: no hours as «–», a knutepunkt's services one a line, the organisation that runs it by name. */
function shownFacility(k, v) {
  if (v == null) return '–';
  if (k === 'operator_org' && typeof v === 'number') return orgName(v);
  if (k === 'services' && Array.isArray(v)) {
    return v.length ? v.map((s) => [`${serviceLabel(s.service)}${s.name ? ` (${s.name})` : ''}`, s.opening_hours, s.contact]
      .filter(Boolean).join(': ')).join('; ') : '–';
  }
  return shown(v);
}

/** Before and after, field by field (the fields that changed first). */
function changes(r, label) {
  const before = r.before && typeof r.before === 'object' ? r.before : {};
  const after = r.after && typeof r.after === 'object' ? r.after : {};
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (!keys.length) return h('span', { className: 'hint', textContent: t('audit.no_fields') });
  const differs = (k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]);
  const show = r.collection === 'facilities' ? shownFacility : (k, v) => shown(v);
  keys.sort((a, b) => Number(differs(b)) - Number(differs(a)));
  return h('details', { className: 'diff' },
    h('summary', {}, t('audit.details'), h('span', { className: 'visually-hidden', textContent: ` ${label}` })),
    h('dl', {}, keys.flatMap((k) => [
      h('dt', { textContent: k, className: differs(k) ? 'changed' : null }),
      h('dd', {},
        r.before != null ? h('span', { className: 'before' }, h('span', { className: 'which', textContent: `${t('audit.before')}: ` }), show(k, before[k])) : null,
        r.after != null ? h('span', { className: 'after' }, h('span', { className: 'which', textContent: `${t('audit.after')}: ` }), show(k, after[k])) : null),
    ])));
}

function renderAudit(rows) {
  $('audit-count').textContent = t('audit.count', { count: rows.length });
  const list = rows.map((r) => {
    const thing = what(r);
    return {
      key: `audit-${r.id}`,
      cells: [
        osloStamp(r.at_ms),
        who(r),
        actionLabel(r),
        h('span', {}, h('span', { className: 'what-kind', textContent: collectionLabel(r.collection) }), ' ', thing),
        changes(r, thing),
      ],
    };
  });
  $('audit-list').replaceChildren(list.length
    ? dataTable({
      id: 'audit-table',
      caption: t('audit.caption'),
      columns: ['when', 'who', 'action', 'what', 'details'].map((c) => ({ label: t(`audit.col_${c}`), className: `col-${c}` })),
      rows: list,
    })
    : h('p', { className: 'empty', textContent: t('audit.none') }));
}
