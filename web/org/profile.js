// The organisation's profile (for its org_admins and staff admins): name, kind, public
// contact and website. PATCH /api/organisations/{id}; the name must be unique (ignoring case)
// and the website a web address.

import { $, h } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { ORG_KINDS } from '../kit/domain.js';
import { api } from './api.js';
import { page, currentOrg } from './context.js';
import { inputField, selectField, formButtons, clearErrors, showServerErrors, showClientErrors, fillForm, onSubmit, updateCounts, lengthErrors } from './fields.js';

const INPUTS = { name: 'profile-name', kind: 'profile-kind', contact: 'profile-contact', website: 'profile-website' };

export function buildProfile() {
  fillForm($('profile-form'),
    inputField({ id: 'profile-name', name: 'name', label: 'profile.name', limit: 120, autocomplete: 'organization' }),
    selectField({ id: 'profile-kind', name: 'kind', label: 'profile.kind' }),
    inputField({ id: 'profile-contact', name: 'contact', label: 'profile.contact', hint: 'profile.contact_hint', required: false, limit: 200 }),
    inputField({ id: 'profile-website', name: 'website', label: 'profile.website', hint: 'profile.website_hint', type: 'url', required: false }),
    formButtons(h('button', { type: 'submit', className: 'primary', dataset: { i18n: 'profile.save' } })));
  onSubmit($('profile-form'), save);
}

/** Fills the form with the chosen organisation's profile. */
export function showProfile() {
  const o = page.orgInfo.get(page.org) ?? { name: currentOrg()?.name ?? '' };
  clearErrors($('profile-form'), $('profile-errors'));
  $('profile-kind').replaceChildren(...ORG_KINDS.map((k) => new Option(t(`profile.kind_${k}`), k)));
  $('profile-name').value = o.name ?? '';
  $('profile-kind').value = o.kind ?? ORG_KINDS[0];
  $('profile-contact').value = o.contact ?? '';
  $('profile-website').value = o.website ?? '';
  updateCounts($('profile-form'));
}

async function save() {
  const summary = $('profile-errors');
  clearErrors($('profile-form'), summary);
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
  try {
    await api('PATCH', `/api/organisations/${id}`, { body });
  } catch (e) {
    showServerErrors(summary, e, (f) => INPUTS[f] ?? null);
    return;
  }
  page.orgInfo.set(id, { ...page.orgInfo.get(id), id, ...body });
  const org = page.orgs.find((o) => o.id === id);
  if (org) org.name = body.name;
  const option = [...$('org-select').options].find((o) => o.value === String(id));
  if (option) option.textContent = body.name;
  $('org-name').textContent = t('who.working_for', { org: body.name });
  $('page-status').textContent = t('profile.saved', { org: body.name });
}
