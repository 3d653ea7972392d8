// What the residents' pages (/ and /embed) know while they run, shared by their modules.
// One object, so that every module reads and writes the same values.

import { EMPTY } from '../kit/domain.js';

export const page = {
  /** 'site' (/) or 'embed' (/embed): `<body data-mode>`. */
  mode: document.body.dataset.mode === 'embed' ? 'embed' : 'site',
  /** The view, read from and written to the URL (../url-state.js). */
  state: null,
  /** The last /api/reach body, or null; the query it answered; its error's string key. */
  reach: null,
  reachQuery: null,
  reachError: null,
  map: null,
  /** Resolves when the first style has loaded (a result's view must come after its own). */
  styleLoaded: null,
  /** Kind → colour of the style's facility layer (`_default` for the rest). */
  kindColours: {},
  /** The collections the API has (activities and volunteer needs are optional). */
  collections: [],
  /** What the overlay sources show. */
  overlayData: { bands: EMPTY, facilities: EMPTY, origin: EMPTY, activities: EMPTY, needs: EMPTY, proposals: EMPTY, natureChosen: EMPTY },
  /** The published proposals in the map's view (GeoJSON features), or null before they came. */
  proposals: null,
  /** Map point id → the ids of the activities (needs) that share it, in list order. */
  activityPoints: new Map(),
  needPoints: new Map(),
  /** What is selected: { type: 'facility' | 'activity' | 'need' | 'proposal' | 'nature', id }. */
  selected: null,
  timings: {},
};

/** The colour of a facility kind on the map (and its dot in the list and legend). */
export const kindColour = (kind) => page.kindColours[kind] ?? page.kindColours._default ?? '#555';

/** True when the page shows the residents' proposals: on / unless proposals=0, on /embed with proposals=1. */
export const showsProposals = () => (page.state?.proposals ?? page.mode === 'site')
  && (page.collections.length === 0 || page.collections.includes('proposals'));

/** Marks `rows` as the selected ones (class and aria-current), and no other row. */
export function markRows(rows) {
  for (const li of document.querySelectorAll('.result.selected, .result[aria-current]')) {
    li.classList.remove('selected');
    li.removeAttribute('aria-current');
  }
  for (const li of rows) {
    li.classList.add('selected');
    li.setAttribute('aria-current', 'true');
  }
}
