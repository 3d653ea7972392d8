// The one search box (issue 16 item 7): addresses, places by name (facilities) and areas
// (districts) from /api/search, in its ranked groups under a heading each (the kit's combobox).
// An address is the walking reach's new origin, as before; a place or an area only moves the
// map there (a place in the reach is selected as from the list), and the origin stays.

import { $, announce } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { t, has } from '../kit/i18n.js';
import { Combobox } from '../kit/combobox.js';
import { page } from './context.js';
import { choosePoint, kindLabel, selectFacility } from './reach.js';

const levelLabel = (level) => (has(`search.levels.${level}`) ? t(`search.levels.${level}`) : level);

/** A /api/search feature as a suggestion: its label, a second line for places and areas, its group. */
function suggestion(f) {
  const p = f.properties;
  const group = p.group;
  let detail = null;
  if (group === 'facility') detail = [kindLabel(p.kind), p.district].filter(Boolean).join(', ');
  else if (group === 'district') detail = levelLabel(p.level);
  const groupLabel = has(`search.groups.${group}`) ? t(`search.groups.${group}`) : group;
  return { label: p.label, detail, group, groupLabel, value: f };
}

const motion = () => (matchMedia('(prefers-reduced-motion: reduce)').matches ? 0 : 400);

function showFacility(f) {
  const { map } = page;
  const p = f.properties;
  // A place the reach holds: selected as from the list (marked on the map and in the list, the
  // map goes to it), but the page does not scroll away from the search box to its row.
  if (page.reach?.facilities?.features.some((x) => x.id === p.id)) {
    selectFacility(p.id, { from: 'search' });
    return;
  }
  map.easeTo({ center: f.geometry.coordinates, zoom: Math.max(map.getZoom(), 16), duration: motion() });
  announce(t('search.facility_shown', { name: p.label, kind: kindLabel(p.kind) }));
}

function showDistrict(f) {
  const { map } = page;
  const p = f.properties;
  if (Array.isArray(f.bbox) && f.bbox.length === 4) {
    const [w, s, e, n] = f.bbox;
    map.fitBounds([[w, s], [e, n]], { padding: 24, maxZoom: 17, duration: motion() });
  } else if (f.geometry) {
    map.easeTo({ center: f.geometry.coordinates, zoom: Math.max(map.getZoom(), 14), duration: motion() });
  }
  announce(t('search.district_shown', { name: p.label, level: levelLabel(p.level) }));
}

export function wireSearch() {
  return new Combobox({
    input: $('address'),
    listbox: $('address-options'),
    message: $('address-message'),
    announce,
    t,
    search: async (text, signal) => {
      const r = await fetch(at(`/api/search?limit=5&q=${encodeURIComponent(text)}`), { signal });
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      const fc = await r.json();
      return fc.features.filter((f) => f.geometry).map(suggestion);
    },
    onSelect: (o) => {
      const f = o.value;
      if (f.properties.group === 'facility') showFacility(f);
      else if (f.properties.group === 'district') showDistrict(f);
      else {
        const [lon, lat] = f.geometry.coordinates;
        announce(t('search.chosen', { address: o.label }));
        choosePoint({ lon, lat, address: o.label });
      }
    },
  });
}
