// «Hvor langt er det for meg?»: an address (the kit's combobox, as on the residents' map), then
// the walking time from there to the hub: /api/reach from the address within 60 minutes, for
// knutepunkter, and this hub's walk_minutes there; not among them means more than 60 minutes.
// An address off the walking network (422, as the residents' map says it) gets its own words;
// a search that finds no address clears the last result.

import { $, h, announce } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, tNodes } from '../kit/i18n.js';
import { withQuery } from '../kit/url.js';
import { Combobox } from '../kit/combobox.js';
import { readProblem } from '../kit/problems.js';
import { page } from './context.js';
import { siteQuery } from './url.js';
import { nb } from './format.js';
import { hubName } from './render.js';

export const MAX_MINUTES = 60;
let controller = null;

const nameNode = () => (page.hub.properties.name ? nb(page.hub.properties.name) : hubName());

function showResult(nodes, minutes) {
  const out = $('distance-result');
  out.replaceChildren(...nodes);
  if (minutes == null) delete out.dataset.minutes;
  else out.dataset.minutes = String(minutes);
}

/** No result on show (and none on its way): a search that found no address. */
function clearResult() {
  controller?.abort();
  showResult([]);
}

/** The words of a failed /api/reach answer: 422 is an address too far from the walking network. */
const failedKey = (p) => (p.status === 422 || p.kind === 'outside-coverage' ? 'distance.outside' : 'distance.failed');

/** The walking time from `address` (a point) to the hub, said in the result line (role=status). */
export async function measureFrom({ lon, lat, label }) {
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;
  showResult([t('distance.measuring', { address: label })]);
  const q = new URLSearchParams({
    lon: String(lon), lat: String(lat), minutes: String(MAX_MINUTES), kind: 'community_centre',
  });
  try {
    const r = await fetch(at(`/api/reach?${q}`), { signal });
    if (!r.ok) {
      const p = await readProblem(r);
      throw Object.assign(new Error(p.detail), { key: failedKey(p) });
    }
    const body = await r.json();
    const mine = body.facilities?.features?.find((f) => String(f.id) === String(page.hub.id));
    const vars = { address: nb(label), name: nameNode() };
    if (mine) {
      const minutes = mine.properties.walk_minutes;
      showResult(tNodes('distance.result', { ...vars, count: minutes, minutes: String(minutes) }), minutes);
    } else {
      showResult(tNodes('distance.beyond', { ...vars, max: String(MAX_MINUTES) }), -1);
    }
    // The residents' map from the same address, for the way there and what else is near.
    const link = withQuery(at('/'), `${siteQuery(page.state) ? `${siteQuery(page.state)}&` : ''}point=${lon},${lat}&address=${encodeURIComponent(label)}`);
    $('distance-result').append(' ', h('a', {
      id: 'distance-map-link', href: link, textContent: t('distance.map_link'), ...(page.state.embed ? { target: '_top' } : {}),
    }));
  } catch (e) {
    if (e.name === 'AbortError') return;
    console.warn('reach:', e);
    showResult(e.key === 'distance.outside' ? tNodes(e.key, { address: nb(label) }) : [t('distance.failed')]);
  }
}

export function wireDistance() {
  new Combobox({
    input: $('address'),
    listbox: $('address-options'),
    message: $('address-message'),
    announce,
    t,
    search: async (text, signal) => {
      const r = await fetch(at(`/api/addresses/search?limit=8&q=${encodeURIComponent(text)}`), { signal });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const fc = await r.json();
      if (!fc.features.length) clearResult();
      return fc.features.map((f) => ({ label: f.properties.label, value: f }));
    },
    onSelect: (o) => {
      const [lon, lat] = o.value.geometry.coordinates;
      measureFrom({ lon, lat, label: o.label });
    },
  });
}
