// What the knutepunkt's page knows while it runs, shared by its modules.

export const page = {
  /** The URL's state (./url.js): id, lang, contrast, embed. */
  state: null,
  /** The hub: GET /api/collections/facilities/items/{id} (a GeoJSON Feature), or null. */
  hub: null,
  /** GET /api/calendar?facility={id}: { from, to, sessions }, an Error, or null before it came. */
  week: null,
  /** GET /api/collections/volunteer-needs/items near the hub: a FeatureCollection, an Error, or null. */
  needs: null,
  /** True while a request runs. */
  busy: false,
  map: null,
};
