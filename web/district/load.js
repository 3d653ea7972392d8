// Fetching the profiles: the district's own and, when comparing, the other district's, for
// the chosen walking time and profile. A newer request cancels an older one; the status line
// (role=status) says what is going on, a problem (role=alert) offers to try again, and an
// unknown district gets a page of its own words instead of a blank one.

import { $ } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t } from '../kit/i18n.js';
import { problemError, problemText } from '../kit/problems.js';
import { page } from './context.js';
import { writeUrl } from './url.js';
import { renderAll } from './render.js';
import { showCompare, featureOf, renderLegend } from './map.js';
import { showCompareControl, compareError } from './compare.js';

let seq = 0;
let controller = null;

/** GET /api/districts/{id}/profile for the page's minutes and profile. Errors carry `status` and `problem`. */
async function fetchProfile(id, signal) {
  const q = new URLSearchParams({ minutes: String(page.state.minutes), profile: page.state.profile });
  const r = await fetch(at(`/api/districts/${encodeURIComponent(id)}/profile?${q}`), { signal });
  if (!r.ok) throw await problemError(r);
  return r.json();
}

export function setStatus(text) {
  $('status').textContent = text;
}

function loadedMessage() {
  const p = page.profile;
  const words = t('status.loaded', {
    name: p.district.name ?? p.district.id, minutes: p.minutes, profile: t(`profile_short.${p.profile}`),
  });
  return page.compare ? `${words} ${t('status.comparing', { other: page.compare.district.name ?? page.compare.district.id })}` : words;
}

function showProblem(message) {
  $('problem-text').textContent = message;
  $('problem').hidden = false;
  $('content').hidden = true;
  setStatus('');
}

function showNotFound() {
  const heading = t('not_found.heading');
  $('page-heading').textContent = heading;
  document.title = t('page.title', { heading });
  $('not-found-text').textContent = t('not_found.text', { id: page.state.id });
  $('not-found').hidden = false;
  $('content').hidden = true;
  $('problem').hidden = true;
  $('map-box').hidden = true;
  setStatus('');
}

/** Runs `work(signal)` as the page's one request; false when a newer one took over. */
async function exclusive(work) {
  controller?.abort();
  controller = new AbortController();
  const mine = ++seq;
  page.busy = true;
  setStatus(t('status.loading'));
  try {
    await work(controller.signal, () => mine === seq);
    return mine === seq;
  } catch (e) {
    if (e.name === 'AbortError' || mine !== seq) return false;
    throw e;
  } finally {
    if (mine === seq) page.busy = false;
  }
}

/** The district's profile and the compared one's; renders them. Returns false when not found. */
export async function loadAll() {
  let found = true;
  try {
    await exclusive(async (signal, current) => {
      const [main, other] = await Promise.all([
        fetchProfile(page.state.id, signal),
        page.state.med ? fetchProfile(page.state.med, signal).catch((e) => e) : null,
      ]);
      if (!current()) return;
      page.profile = main;
      acceptCompare(other);
      $('problem').hidden = true;
      $('content').hidden = false;
      renderAll();
      showCompareControl();
      showCompare();
      setStatus(loadedMessage());
    });
  } catch (e) {
    if (e.status === 404 && !page.profile) {
      found = false;
      showNotFound();
    } else {
      showProblem(t('status.failed', { reason: problemText(e) }));
    }
  }
  return found;
}

/** The compared district's answer (or error) taken in: a 404 drops `?med=`. */
function acceptCompare(other) {
  if (!page.state.med) other = null; // removed while the request ran
  if (other instanceof Error) {
    page.compare = null;
    if (other.status === 404) {
      compareError(t('compare.not_found', { id: page.state.med }));
      page.state.med = null;
      writeUrl(page.state);
    } else {
      compareError(t('compare.failed', { reason: problemText(other) }));
    }
    return;
  }
  page.compare = other;
  if (other) {
    compareError(null);
    // Its outline, for the map (siblings bring theirs; another district is fetched).
    if (!page.features.has(other.district.id)) {
      featureOf(other.district.id).then(() => showCompare(), () => renderLegend());
    }
  }
}

/** Only the compared district (after choosing one): the district's own figures stay. */
export async function loadCompare() {
  // A request for both is under way (the minutes changed): ask for both again.
  if (page.busy) {
    await loadAll();
    return;
  }
  try {
    await exclusive(async (signal, current) => {
      const other = await fetchProfile(page.state.med, signal).catch((e) => e);
      if (!current()) return;
      acceptCompare(other);
      renderAll();
      showCompareControl();
      showCompare();
      setStatus(page.compare ? loadedMessage() : '');
    });
  } catch (e) {
    compareError(t('compare.failed', { reason: problemText(e) }));
  }
}

/** Back to the district alone. */
export function dropCompare() {
  page.compare = null;
  page.state.med = null;
  writeUrl(page.state);
  compareError(null);
  renderAll();
  showCompareControl();
  showCompare();
  setStatus(t('status.compare_removed'));
}
