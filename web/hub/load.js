// Fetching: the hub itself (an unknown id gets its own words instead of a blank page; another
// failure offers to try again), then, side by side, the next seven days' activities held there
// (examples marked) and the volunteer needs within 15 minutes' walk. The status line
// (role=status) says what is going on.

import { $, announce } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, tNodes } from '../kit/i18n.js';
import { problemError, problemText } from '../kit/problems.js';
import { page } from './context.js';
import { nb } from './format.js';
import { hubName, renderIdentity, renderServices, renderWeek, renderNeeds, NEEDS_MINUTES } from './render.js';

/** GET `path` as JSON; errors carry `status` and the `problem` (kit/problems.js). */
async function getJson(path) {
  const r = await fetch(at(path));
  if (!r.ok) throw await problemError(r);
  return r.json();
}

/** The status line: text, or nodes (a name from the API keeps its own language). */
export const setStatus = (...nodes) => { $('status').replaceChildren(...nodes); };

/** The hub's name as a node: free text, marked Norwegian in another language. */
const nameNode = () => (page.hub?.properties?.name ? nb(page.hub.properties.name) : hubName());

function showNotFound() {
  const heading = t('not_found.heading');
  $('page-heading').textContent = heading;
  document.title = t('page.title', { name: heading });
  $('not-found-text').textContent = t('not_found.text', { id: page.state.id ?? '' });
  $('not-found').hidden = false;
  $('content').hidden = true;
  $('problem').hidden = true;
  $('map-box').hidden = true;
  setStatus('');
}

function showProblem(message) {
  $('problem-text').textContent = message;
  $('problem').hidden = false;
  $('content').hidden = true;
  setStatus('');
}

/** The hub; 'found', 'missing' (404, or not a knutepunkt) or 'failed'. */
export async function loadHub() {
  if (!page.state.id) {
    showNotFound();
    return 'missing';
  }
  page.busy = true;
  setStatus(t('status.loading'));
  try {
    const f = await getJson(`/api/collections/facilities/items/${encodeURIComponent(page.state.id)}`);
    if (f.properties?.kind !== 'community_centre') {
      showNotFound();
      return 'missing';
    }
    page.hub = f;
    $('problem').hidden = true;
    $('content').hidden = false;
    renderIdentity();
    renderServices();
    renderWeek(loadWeek);
    renderNeeds(loadNeeds);
    setStatus(...tNodes('status.loading_rest', { name: nameNode() }));
    return 'found';
  } catch (e) {
    if (e.status === 404) {
      showNotFound();
      return 'missing';
    }
    showProblem(t('status.failed', { reason: problemText(e) }));
    return 'failed';
  } finally {
    page.busy = false;
  }
}

/**
 * The ids of the example activities held at the hub (the calendar's sessions do not say which
 * are examples; the activities do). Without an answer: none, and no badge.
 */
async function exampleIds() {
  try {
    const fc = await getJson(`/api/collections/activities/items?facility=${encodeURIComponent(page.hub.id)}&limit=1000`);
    return new Set(fc.features.filter((f) => f.properties.example).map((f) => String(f.id)));
  } catch (e) {
    console.warn('activities:', e);
    return new Set();
  }
}

/** The sessions held at the hub in the next seven days (the calendar's default range: today and six days on). */
export async function loadWeek(told = false) {
  page.week = null;
  renderWeek(loadWeek);
  try {
    const [week, examples] = await Promise.all([
      getJson(`/api/calendar?facility=${encodeURIComponent(page.hub.id)}`), exampleIds(),
    ]);
    for (const session of week.sessions) session.example = examples.has(String(session.activity_id));
    page.week = week;
  } catch (e) {
    console.warn('calendar:', e);
    page.week = e;
  }
  renderWeek(loadWeek);
  if (told === true && !(page.week instanceof Error)) announce(t('status.sessions', { count: page.week.sessions.length }));
  return page.week;
}

/** The volunteer needs within 15 minutes' walk of the hub. */
export async function loadNeeds(told = false) {
  page.needs = null;
  renderNeeds(loadNeeds);
  const [lon, lat] = page.hub.geometry.coordinates;
  const q = new URLSearchParams({ lon: String(lon), lat: String(lat), minutes: String(NEEDS_MINUTES) });
  try {
    page.needs = await getJson(`/api/collections/volunteer-needs/items?${q}`);
  } catch (e) {
    console.warn('volunteer needs:', e);
    page.needs = e;
  }
  renderNeeds(loadNeeds);
  if (told === true && !(page.needs instanceof Error)) announce(t('status.needs', { count: page.needs.features.length }));
  return page.needs;
}

/** Both parts, then one line that says what the page shows (or what failed). */
export async function loadRest() {
  page.busy = true;
  try {
    await Promise.all([loadWeek(), loadNeeds()]);
  } finally {
    page.busy = false;
  }
  const services = page.hub.properties.services?.length ?? 0;
  const parts = [t('status.services', { count: services })];
  parts.push(page.week instanceof Error ? t('week.failed') : t('status.sessions', { count: page.week.sessions.length }));
  parts.push(page.needs instanceof Error ? t('needs.failed') : t('status.needs', { count: page.needs.features.length }));
  setStatus(...tNodes('status.loaded', { name: nameNode(), parts: parts.join(' ') }));
}
