// The organisation's activities (paused ones too, marked «Pauset»): a card each (category,
// next session, place) with edit, copy, pause or resume, and delete. The editor is
// activity-editor.js. Each change is said once the list shows it.

import { $, h, jumpTo } from '../kit/dom.js';
import { t, formatSession } from '../kit/i18n.js';
import { api } from './api.js';
import { orgItems, renderItems, placeText, itemButton, facts, listFailed } from './items.js';
import { busy, errorText, reportError } from './fields.js';
import { confirmedPress } from './confirm.js';
import { openEditor } from './activity-editor.js';

let items = [];

const categoryLabel = (p) => t(`categories.${p.category}`);
const say = (text) => { $('page-status').textContent = text; };

/** The list's items (the editor looks up the one it edits). */
export const activityItems = () => items;

export async function loadActivities() {
  try {
    items = await orgItems('activities');
  } catch (e) {
    listFailed('activity-list', errorText(e), () => loadActivities().catch(reportError));
    return;
  }
  renderList();
}

/** Opens the editor from a card's button (errors said on the page). */
const edit = (mode, f) => (e) => busy(e.currentTarget, () => openEditor(mode, f)).catch(reportError);

function renderList() {
  renderItems('activity-list', items, 'activities-heading', 'activities.none', (f) => {
    const p = f.properties;
    const pause = itemButton(p.paused ? 'activities.resume' : 'activities.pause', p.title, (e) => setPaused(f, !p.paused, e.currentTarget));
    pause.classList.add('pause');
    return [
      facts([['activities.category', categoryLabel(p)],
        ['activities.next', p.paused ? t('activities.paused_note') : p.next_session ? formatSession(p.next_session.start) : t('activities.no_next')],
        ['activities.place', placeText(p)]]),
      h('div', { className: 'buttons' },
        itemButton('common.edit', p.title, edit('edit', f)),
        itemButton('activities.copy', p.title, edit('copy', f)),
        pause,
        confirmedPress(itemButton('common.delete', p.title, null),
          () => [t('activities.delete_question', { title: p.title }), t('common.delete')], () => remove(f)))];
  });
}

/** Focus back on a card's button after the list was drawn anew (or on the heading). */
function focusCard(id, selector = 'button') {
  const target = document.querySelector(`#activity-list li[data-id="${id}"] ${selector}`);
  if (target) target.focus();
  else $('activities-heading').focus();
}

async function setPaused(f, paused, button) {
  await busy(button, async () => {
    const { title, version } = f.properties;
    let message;
    try {
      await api('PATCH', `/api/collections/activities/items/${f.id}`, { body: { paused }, version });
      message = t(paused ? 'activities.paused_done' : 'activities.resumed', { title });
    } catch (e) {
      message = errorText(e);
    }
    // Said once the list shows it.
    await loadActivities();
    say(message);
    focusCard(f.id, '.pause');
  }).catch(reportError);
}

async function remove(f) {
  let message = t('activities.deleted', { title: f.properties.title });
  try {
    await api('DELETE', `/api/collections/activities/items/${f.id}`, { version: f.properties.version });
  } catch (e) {
    message = errorText(e);
  }
  // Said once the list shows it.
  await loadActivities();
  say(message);
  jumpTo('activities-heading');
}
