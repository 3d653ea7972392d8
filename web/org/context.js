// What the organisations' page knows, shared by its modules: the signed-in person (/api/me),
// the organisations they may work for, the chosen one, and the facilities (places to pick).

export const page = {
  me: null,
  /** `[{ id, name, role }]`: memberships, and for staff admins every organisation seen. */
  orgs: [],
  /** The chosen organisation's id. */
  org: null,
  /** The facilities `[{ id, label }]`, loaded once when a form first needs them. */
  facilities: null,
  /** GET /api/organisations by id: name, kind, contact, website, active, open_data. */
  orgInfo: new Map(),
};

/** The shortest password the server takes. */
export const PASSWORD_MIN = 12;

/** The chosen organisation (`{ id, name, role }`) or null. */
export const currentOrg = () => page.orgs.find((o) => o.id === page.org) ?? null;

/** Whether the person runs the chosen organisation: its org_admin, or a staff admin. */
export const runsOrg = () => page.me?.staff_role === 'admin' || currentOrg()?.role === 'org_admin';

/**
 * Whether the person is the chosen organisation's own org_admin (a membership, not a staff
 * role): only they may give its consent to open data; a staff admin may withdraw it.
 */
export const ownAdmin = () => page.me?.memberships?.some((m) => m.org_id === page.org && m.role === 'org_admin') ?? false;

/** `org_id` for a new item: needed when the person could write for several organisations. */
export const orgField = () => ({ org_id: page.org });
