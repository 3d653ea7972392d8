// The email outbox: what was sent or waits (recipient, subject, kind, state, attempts, the
// last error, when it was made and sent). Bodies are never shown: they hold sign-in links.

import { $, h } from '../kit/dom.js';
import { t, has } from '../kit/i18n.js';
import { api } from '../org/api.js';
import { dataTable, busy, showProblem, osloStamp, say } from './ui.js';

export function buildOutbox() {
  $('outbox-refresh').addEventListener('click', async (e) => {
    await busy(e.currentTarget, loadOutbox);
    say(t('outbox.refreshed'));
  });
}

export async function loadOutbox() {
  showProblem('outbox-problem', null);
  let messages;
  try {
    ({ messages } = (await api('GET', '/api/outbox')).data);
  } catch (e) {
    showProblem('outbox-problem', e);
    return;
  }
  const label = (group, v) => (has(`outbox.${group}.${v}`) ? t(`outbox.${group}.${v}`) : v);
  const rows = messages.map((m) => ({
    key: `mail-${m.id}`,
    className: m.state === 'failed' ? 'failed' : null,
    cells: [
      h('span', { className: 'email', textContent: m.recipient }),
      m.subject,
      label('kinds', m.kind),
      h('span', { className: `state state-${m.state}`, textContent: label('states', m.state) }),
      String(m.attempts),
      m.last_error ?? '',
      osloStamp(m.created_ms),
      m.sent_ms ? osloStamp(m.sent_ms) : '',
    ],
  }));
  $('outbox-list').replaceChildren(rows.length
    ? dataTable({
      id: 'outbox-table',
      caption: t('outbox.caption', { count: rows.length }),
      columns: ['recipient', 'subject', 'kind', 'state', 'attempts', 'error', 'created', 'sent'].map((c) => ({ label: t(`outbox.col_${c}`), className: `col-${c}` })),
      rows,
    })
    : h('p', { className: 'empty', textContent: t('outbox.none') }));
}
