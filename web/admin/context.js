// What the staff page knows, shared by its sections: who is signed in (a staff admin, or a
// moderator who sees only the proposals, the participation codes and the audit log), and the
// lists that several sections name things from (organisations and people by id).

import { t } from '../kit/i18n.js';

export const admin = {
  /** /api/me */
  me: null,
  /** GET /api/organisations (with the deactivated ones). */
  orgs: [],
  /** GET /api/people. */
  people: [],
  /** GET /api/tokens (never the tokens themselves). */
  tokens: [],
  /** GET /api/moderation/proposals?state=… (the list shown). */
  proposals: [],
  /** GET /api/participation/batches (never the codes). */
  batches: [],
  /** Called after the organisations or people changed, so that other sections' choices follow. */
  listeners: [],
};

export const orgName = (id) => admin.orgs.find((o) => o.id === id)?.name ?? t('common.org_gone', { id });
export const personName = (id) => admin.people.find((p) => p.id === id)?.name ?? t('common.person_gone', { id });

/** Tells the other sections that `what` ('orgs' or 'people') changed. */
export function changed(what) {
  for (const f of admin.listeners) f(what);
}

/** Organisations sorted by name in Norwegian order. */
export const sortedOrgs = (list = admin.orgs) => [...list].sort((a, b) => a.name.localeCompare(b.name, 'nb'));

/** A staff admin (everything) rather than a moderator (proposals, codes, audit log). */
export const isAdmin = () => admin.me?.staff_role === 'admin';

/** Staff who moderate proposals and make participation codes: moderators and admins. */
export const isStaff = () => ['admin', 'moderator'].includes(admin.me?.staff_role);
