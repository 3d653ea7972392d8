// The organisation's profile: name, kind, public contact and website, and its consent to
// publish its activities as open data (the OpenActive feed /api/feeds/session-series, CC BY
// 4.0). One PATCH /api/organisations/{id} (the consent in it only when it was changed on the
// page); the name must be unique (ignoring case) and the website a web address. Its
// org_admins and staff admins edit it; an editor sees only the consent, as a disabled
// checkbox with who may change it (the server refuses an editor's PATCH with 403). The
// consent is the organisation's own: a staff admin who is not its org_admin may withdraw it
// but not give it (403), so for them the checkbox is enabled only while it is ticked.

import { $, h } from '../kit/dom.js';
import { abs } from '../kit/base.js';
import { t, tNodes } from '../kit/i18n.js';
import { ORG_KINDS } from '../kit/domain.js';
import { api } from './api.js';
import { page, currentOrg, runsOrg, ownAdmin } from './context.js';
import { inputField, selectField, formButtons, clearErrors, showServerErrors, showClientErrors, fillForm, onSubmit, updateCounts, lengthErrors } from './fields.js';

const INPUTS = { name: 'profile-name', kind: 'profile-kind', contact: 'profile-contact', website: 'profile-website', open_data: 'profile-open-data' };

/** The open feed's licence, as the feed itself names it. */
const LICENCE = 'https://creativecommons.org/licenses/by/4.0/';

/**
 * The consent: what is published, where, under which licence and how to stop (a list of
 * facts before the checkbox, so that it is read first), then the checkbox with its error
 * line and hint (`profile-open-data-error`, `-hint`, as kit/forms.js marks fields).
 */
function openDataFieldset() {
  const feed = abs('/api/feeds/session-series');
  const fact = (key, ...value) => [h('dt', { dataset: { i18n: `profile.open_data_${key}_label` } }), h('dd', {}, ...value)];
  return h('fieldset', { id: 'open-data', className: 'open-data' },
    h('legend', { dataset: { i18n: 'profile.open_data_legend' } }),
    h('p', { dataset: { i18n: 'profile.open_data_intro' } }),
    h('dl', { className: 'facts open-data-facts' },
      fact('what', t('profile.open_data_what')),
      fact('where', ...tNodes('profile.open_data_where', {
        feed: h('a', { href: feed, className: 'feed-url', translate: false }, h('code', {}, feed)),
      })),
      fact('licence', ...tNodes('profile.open_data_licence', {
        licence: h('a', { href: LICENCE, hreflang: 'en' }, t('profile.open_data_licence_name')),
      })),
      fact('stop', t('profile.open_data_stop'))),
    h('p', { id: 'profile-open-data-error', className: 'field-error', hidden: true }),
    h('label', { className: 'choice', htmlFor: 'profile-open-data' },
      h('input', { type: 'checkbox', id: 'profile-open-data', name: 'open_data', 'aria-describedby': 'profile-open-data-hint' }),
      h('span', { dataset: { i18n: 'profile.open_data' } })),
    h('p', { id: 'profile-open-data-hint', className: 'hint' }));
}

export function buildProfile() {
  fillForm($('profile-form'),
    h('div', { id: 'profile-fields' },
      inputField({ id: 'profile-name', name: 'name', label: 'profile.name', limit: 120, autocomplete: 'organization' }),
      selectField({ id: 'profile-kind', name: 'kind', label: 'profile.kind' }),
      inputField({ id: 'profile-contact', name: 'contact', label: 'profile.contact', hint: 'profile.contact_hint', required: false, limit: 200 }),
      inputField({ id: 'profile-website', name: 'website', label: 'profile.website', hint: 'profile.website_hint', type: 'url', required: false })),
    openDataFieldset(),
    h('div', { id: 'profile-save' },
      formButtons(h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'profile.save' } }))));
  onSubmit($('profile-form'), save);
}

/**
 * Fills the form with the chosen organisation's profile: editable for its admins, only the
 * open-data consent (disabled) for an editor.
 */
export function showProfile() {
  const o = page.orgInfo.get(page.org) ?? { name: currentOrg()?.name ?? '' };
  const admin = runsOrg();
  clearErrors($('profile-form'), $('profile-errors'));
  $('profile-status').textContent = '';
  $('profile-kind').replaceChildren(...ORG_KINDS.map((k) => new Option(t(`profile.kind_${k}`), k)));
  $('profile-name').value = o.name ?? '';
  $('profile-kind').value = o.kind ?? ORG_KINDS[0];
  $('profile-contact').value = o.contact ?? '';
  $('profile-website').value = o.website ?? '';
  $('profile-open-data').checked = o.open_data === true;
  showConsent(o.open_data === true);
  for (const id of ['profile-intro', 'profile-fields', 'profile-save']) $(id).hidden = !admin;
  updateCounts($('profile-form'));
}

/**
 * Who may change the consent (`given`: as stored): the organisation's own admins; a staff
 * admin only to withdraw it; an editor not at all. The hint says which.
 */
function showConsent(given) {
  let hint = 'profile.open_data_hint';
  if (!runsOrg()) hint = 'profile.open_data_read_only';
  else if (!ownAdmin()) hint = given ? 'profile.open_data_staff_withdraw' : 'profile.open_data_staff_give';
  $('profile-open-data').disabled = !runsOrg() || (!ownAdmin() && !given);
  $('profile-open-data-hint').textContent = t(hint);
}

async function save() {
  const summary = $('profile-errors');
  const status = $('profile-status');
  clearErrors($('profile-form'), summary);
  status.textContent = '';
  const tooLong = lengthErrors($('profile-form'));
  if (tooLong.length) {
    showClientErrors(summary, tooLong);
    return;
  }
  const value = (id) => $(id).value.trim();
  const body = {
    name: value('profile-name'), kind: $('profile-kind').value,
    contact: value('profile-contact') || null, website: value('profile-website') || null,
  };
  const id = page.org;
  const wasOpen = page.orgInfo.get(id)?.open_data === true;
  const open = $('profile-open-data').checked;
  // The consent only when it was changed here: a page loaded before another admin gave (or
  // withdrew) it does not undo that by saving the website.
  if (open !== wasOpen) body.open_data = open;
  try {
    await api('PATCH', `/api/organisations/${id}`, { body });
  } catch (e) {
    showServerErrors(summary, e, (f) => INPUTS[f] ?? null);
    return;
  }
  page.orgInfo.set(id, { ...page.orgInfo.get(id), id, ...body });
  showConsent(open);
  const org = page.orgs.find((o) => o.id === id);
  if (org) org.name = body.name;
  const option = [...$('org-select').options].find((o) => o.value === String(id));
  if (option) option.textContent = body.name;
  $('org-name').textContent = t('who.working_for', { org: body.name });
  const saved = t('profile.saved', { org: body.name });
  status.textContent = open === wasOpen ? saved : `${saved} ${t(open ? 'profile.open_data_on' : 'profile.open_data_off')}`;
}
