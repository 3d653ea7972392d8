// A volunteer need's offers inbox: name, contact, message, when it came (Oslo time, as
// everywhere on the page) and its state, with "contacted" / "declined".

import { h, announce } from '../kit/dom.js';
import { t, freeLang, formatSession } from '../kit/i18n.js';
import { api } from './api.js';
import { itemButton, withTitle } from './items.js';
import { busy, errorText, reportError } from './fields.js';

/** The need's offers (`[]` when they could not be read: `null`). */
export async function offersOf(id) {
  try {
    return (await api('GET', `/api/collections/volunteer-needs/items/${id}/offers`)).data.offers;
  } catch {
    return null;
  }
}

/** Fills `inbox` with need `f`'s offers, or says why it cannot. `onChange()`: after a state changed. */
export async function loadOffers(f, inbox, onChange) {
  const headingId = `offers-${f.id}-heading`;
  let offers;
  try {
    offers = (await api('GET', `/api/collections/volunteer-needs/items/${f.id}/offers`)).data.offers;
  } catch (e) {
    inbox.replaceChildren(h('p', { className: 'field-error', textContent: errorText(e) }),
      h('button', {
        type: 'button', className: 'small', textContent: t('common.retry'),
        on: { click: () => loadOffers(f, inbox, onChange).catch(reportError) },
      }));
    return;
  }
  const heading = h('h4', { id: headingId, tabIndex: -1 }, ...withTitle('offers.heading', { title: f.properties.title, count: offers.length }));
  if (!offers.length) {
    inbox.replaceChildren(heading, h('p', { className: 'empty', textContent: t('offers.none') }));
    return;
  }
  inbox.replaceChildren(heading, h('ul', { className: 'offer-list', 'aria-labelledby': headingId }, offers.map((o) => {
    const stateLine = h('p', { className: `offer-state state-${o.state}`, textContent: t(`offers.state_${o.state}`) });
    const setState = (state) => async (e) => busy(e.currentTarget, async () => {
      try {
        await api('PATCH', `/api/offers/${o.id}`, { body: { state } });
      } catch (err) {
        announce(errorText(err));
        stateLine.textContent = `${t(`offers.state_${o.state}`)} – ${errorText(err)}`;
        return;
      }
      o.state = state;
      stateLine.className = `offer-state state-${state}`;
      stateLine.textContent = t(`offers.state_${state}`);
      announce(t('offers.marked', { name: o.name, state: t(`offers.state_${state}`) }));
      onChange?.();
    }).catch(reportError);
    return h('li', { className: 'offer', dataset: { id: String(o.id) } },
      h('p', { className: 'offer-name', textContent: o.name }),
      h('p', {}, h('span', { textContent: `${t('offers.contact')}: ` }), h('span', { className: 'offer-contact', textContent: o.contact })),
      o.message ? h('p', { className: 'offer-message', lang: freeLang(), textContent: o.message }) : null,
      h('p', { className: 'hint', textContent: t('offers.received', { when: formatSession(new Date(o.created_ms).toISOString()) }) }),
      stateLine,
      h('div', { className: 'buttons' },
        itemButton('offers.contacted', o.name, setState('contacted')),
        itemButton('offers.declined', o.name, setState('declined'))));
  })));
}
