// What the district profile knows while it runs, shared by its modules.

export const page = {
  /** The URL's state (./url.js): id, minutes, profile, med, lang, contrast. */
  state: null,
  /** The last GET /api/districts/{id}/profile body of the district, or null. */
  profile: null,
  /** The same for the district compared with (`?med=`), or null. */
  compare: null,
  /** The districts that can be compared with: [{ id, name, feature }], or null before they came. */
  siblings: null,
  /** GeoJSON features by district id (the outline on the map). */
  features: new Map(),
  /** True while a profile request runs. */
  busy: false,
  map: null,
};
