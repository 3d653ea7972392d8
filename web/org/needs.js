// The organisation's volunteer needs: a card each (until when, time, place, how many new offers
// of help) with its offers inbox (offers.js), edit (need-editor.js), "extend 30 days" and
// "close" (delete). Each change is said once the list shows it.

import { $, h, jumpTo } from '../kit/dom.js';
import { t, formatDate } from '../kit/i18n.js';
import { api, osloDate } from './api.js';
import { orgItems, renderItems, placeText, itemButton, facts, listFailed, nb } from './items.js';
import { busy, errorText, reportError } from './fields.js';
import { confirmedPress } from './confirm.js';
import { loadOffers, offersOf } from './offers.js';
import { openNeedEditor } from './need-editor.js';

let needs = [];
const say = (text) => { $('page-status').textContent = text; };

const newOffers = (offers) => (offers == null ? t('needs.offers_unknown') : t('needs.new_offers', { count: offers.filter((o) => o.state === 'new').length }));

export async function loadNeeds() {
  let offers;
  try {
    needs = await orgItems('volunteer-needs');
    offers = new Map(await Promise.all(needs.map(async (f) => [f.id, await offersOf(f.id)])));
  } catch (e) {
    listFailed('need-list', errorText(e), () => loadNeeds().catch(reportError));
    return;
  }
  renderItems('need-list', needs, 'needs-heading', 'needs.none', (f) => {
    const p = f.properties;
    const inbox = h('div', { id: `offers-${f.id}`, className: 'offers', hidden: true });
    const count = h('dd', { className: 'new-offers', textContent: newOffers(offers.get(f.id)) });
    const recount = async () => { count.textContent = newOffers(await offersOf(f.id)); };
    const toggle = h('button', {
      type: 'button', className: 'small', 'aria-expanded': 'false', 'aria-controls': inbox.id,
      on: { click: (e) => busy(e.currentTarget, () => toggleOffers(f, toggle, inbox, recount)).catch(reportError) },
    }, t('needs.offers'), h('span', { className: 'visually-hidden' }, ' ', nb(p.title)));
    const list = facts([['needs.until', formatDate(p.valid_until)], ['needs.commitment', p.time_commitment ? nb(p.time_commitment) : ''], ['activities.place', placeText(p)]]);
    list.append(h('dt', { textContent: t('needs.new_offers_label') }), count);
    return [
      list,
      h('div', { className: 'buttons' },
        toggle,
        itemButton('common.edit', p.title, (e) => busy(e.currentTarget, () => openNeedEditor(f)).catch(reportError)),
        itemButton('needs.extend', p.title, (e) => extend(f, e.currentTarget)),
        confirmedPress(itemButton('needs.close', p.title, null),
          () => [t('needs.close_question', { title: p.title }), t('needs.close')], () => close(f))),
      inbox];
  });
}

async function toggleOffers(f, toggle, inbox, recount) {
  const open = toggle.getAttribute('aria-expanded') !== 'true';
  toggle.setAttribute('aria-expanded', String(open));
  inbox.hidden = !open;
  if (open) {
    await loadOffers(f, inbox, recount);
    await recount();
  }
}

async function extend(f, button) {
  await busy(button, async () => {
    const p = f.properties;
    const today = osloDate();
    const until = osloDate(30, p.valid_until > today ? p.valid_until : today);
    let message;
    try {
      await api('PATCH', `/api/collections/volunteer-needs/items/${f.id}`, { body: { valid_until: until }, version: p.version });
      message = t('needs.extended', { title: p.title, date: formatDate(until) });
    } catch (e) {
      message = errorText(e);
    }
    // Said once the list shows it.
    await loadNeeds();
    say(message);
    document.querySelector(`#need-list li[data-id="${f.id}"] button`)?.focus();
  }).catch(reportError);
}

async function close(f) {
  let message;
  try {
    await api('DELETE', `/api/collections/volunteer-needs/items/${f.id}`, { version: f.properties.version });
    message = t('needs.closed', { title: f.properties.title });
  } catch (e) {
    message = errorText(e);
  }
  await loadNeeds();
  say(message);
  jumpTo('needs-heading');
}
