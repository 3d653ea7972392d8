// What the planners' page knows while it runs, shared by its modules.

import { EMPTY } from '../kit/domain.js';

export const page = {
  /** The question and the view, from the URL (./url.js). */
  state: null,
  /** Proposed facilities: { n, lngLat: [lon, lat], marker }. */
  proposals: [],
  proposalSeq: 0,
  /** A nature scenario's new areas: { ring: [[lon, lat], …] (unclosed) }, numbered by their place (./areas.js). */
  areas: [],
  /** The area being drawn on the map: its points so far. */
  draft: [],
  /** Why the drawing could not be added (too small for the question, …), until it changes. */
  draftNote: null,
  /** The districts of the shown level (inside the parent) as GeoJSON. */
  districtsGeo: EMPTY,
  /** The parent the page shows the inside of, and its parents: district features, coarsest first. */
  chain: [],
  /** The level or the drill-down changed: the next drawing says what is shown. */
  viewChanged: false,
  /** The last GET /api/coverage body, or null. */
  coverage: null,
  /** GeoJSON features of the chosen kind (none for a nature question). */
  facilities: [],
  /** { request, before, after, addresses_changed } of the current changes, or null. */
  scenario: null,
  scenarioError: null,
  scenarioBusy: false,
  questionBusy: false,
  map: null,
  /** Resolves when the style has loaded and the overlay is on it. */
  styleReady: null,
};
