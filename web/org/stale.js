// Someone else saved the item while the person was editing it (412): the editor keeps what the
// person typed, takes the other version's values for the fields the person did not touch, says
// which fields changed on the server (and where both changed, what the other person wrote), and
// the next save goes against the new version.
//
// An editor describes its fields as `{ snapshot(), fill(doc), restore(key, raw), label(key),
// text(key, raw) }`: `snapshot()` is `{ key: raw }` of the form as it is (raw values the form
// can be set back to), compared as JSON.

import { h } from '../kit/dom.js';
import { t } from '../kit/i18n.js';

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * `opened`: the snapshot when the form was filled; `server`: the stored version's properties.
 * Fills the form from `server`, puts back what the person changed, and returns
 * `{ opened: the snapshot of the server's version, changes: [{ key, theirs, mine, conflict }] }`.
 */
export async function mergeStale(editor, opened, server) {
  const mine = editor.snapshot();
  await editor.fill(server);
  const theirs = editor.snapshot();
  const changes = [];
  for (const key of Object.keys(mine)) {
    const touched = !same(mine[key], opened[key]);
    const moved = !same(theirs[key], opened[key]);
    if (touched) await editor.restore(key, mine[key]);
    if (moved) changes.push({ key, theirs: theirs[key], mine: mine[key], conflict: touched && !same(mine[key], theirs[key]) });
  }
  return { opened: theirs, changes };
}

/** The note under the editor's heading: what happened, what changed, what to do. */
export function staleNote(note, editor, changes) {
  const line = (c) => {
    const theirs = editor.text(c.key, c.theirs);
    if (c.conflict && theirs == null) return t('stale.conflict_plain', { field: editor.label(c.key) });
    if (c.conflict) return t('stale.conflict', { field: editor.label(c.key), theirs, mine: editor.text(c.key, c.mine) });
    return theirs == null ? t('stale.changed', { field: editor.label(c.key) }) : t('stale.taken', { field: editor.label(c.key), theirs });
  };
  note.replaceChildren(
    h('p', { textContent: t('stale.intro') }),
    changes.length ? h('ul', {}, changes.map((c) => h('li', { textContent: line(c) }))) : h('p', { textContent: t('stale.unknown') }),
    h('p', { textContent: t('stale.again') }));
}
