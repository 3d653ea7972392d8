// Checks of the web page's plain modules and files that need no browser and no server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { REPO } from './harness.mjs';
import { parseState, serializeState } from '../../web/url-state.js';

const KINDS = ['school', 'kindergarten', 'park'];
const CATEGORIES = ['sport', 'music'];

test('URL state survives a round trip and drops what it cannot read', () => {
  const query = 'address=Thorvald+Meyers+gate+10,+0555+Oslo&point=10.759436,59.929261&minutes=10'
    + '&profile=slow&kind=park,school&category=music&lang=en&center=10.75,59.92&zoom=14.5&contrast=high';
  const s = parseState(query, { kinds: KINDS, categories: CATEGORIES });
  assert.equal(s.address, 'Thorvald Meyers gate 10, 0555 Oslo');
  assert.deepEqual(s.point, [10.759436, 59.929261]);
  assert.equal(s.minutes, 10);
  assert.equal(s.profile, 'slow');
  assert.deepEqual([...s.kinds].sort(), ['park', 'school']);
  assert.equal(s.category, 'music');
  assert.equal(s.lang, 'en');
  assert.equal(s.contrast, 'high');
  assert.equal(serializeState(s), query);

  const bad = parseState('point=500,1&minutes=abc&profile=run&kind=bogus&zoom=99&lang=../x&list=top&bbox=1,2,0,3',
    { kinds: KINDS, categories: CATEGORIES });
  assert.equal(bad.point, null);
  assert.equal(bad.minutes, 15);
  assert.equal(bad.profile, 'walk');
  assert.equal(bad.kinds, null);
  assert.equal(bad.zoom, null);
  assert.equal(bad.lang, null);
  assert.equal(bad.list, 'side');
  assert.equal(bad.bbox, null);
  assert.equal(serializeState(bad), '');

  const none = parseState('kind=none', { kinds: KINDS });
  assert.equal(none.kinds.size, 0);
  assert.equal(serializeState(none), 'kind=none');

  const embed = parseState('layers=bands&bbox=10.7,59.9,10.8,59.95&list=bottom', { kinds: KINDS });
  assert.equal(serializeState(embed, { embed: true }), 'layers=bands&bbox=10.7,59.9,10.8,59.95&list=bottom');
  assert.equal(serializeState(embed), '', 'embed-only parameters stay out of the site URL');
});

test('every language file has exactly the keys of nb.json, and languages.json names them', () => {
  const keys = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => (
    v && typeof v === 'object' && !['one', 'other'].some((f) => f in v)
      ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]));
  // The residents', the planners' and the organisations' strings.
  for (const folder of ['web/i18n', 'web/i18n/planner', 'web/i18n/org', 'web/i18n/district', 'web/i18n/participation', 'web/i18n/hub']) {
    const dir = join(REPO, folder);
    const read = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
    const nb = keys(read('nb.json')).sort();
    const languages = read('languages.json');
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.json') && x !== 'languages.json')) {
      assert.deepEqual(keys(read(f)).sort(), nb, `${folder}/${f}`);
      const code = f.replace('.json', '');
      assert.ok(code in languages, `${folder}/${f} is listed in languages.json`);
    }
  }
});

test('URL state: activity filters and layers', () => {
  const query = 'point=10.75,59.92&category=sport&age=10&weekday=2&free=true';
  const s = parseState(query, { kinds: KINDS, categories: CATEGORIES });
  assert.equal(s.age, 10);
  assert.equal(s.weekday, 2);
  assert.equal(s.free, true);
  assert.equal(serializeState(s), query);
  assert.equal(serializeState(s, { embed: true }), query, '/embed takes the same filters');

  const bad = parseState('age=-1&weekday=8&free=yes', { categories: CATEGORIES });
  assert.deepEqual([bad.age, bad.weekday, bad.free], [null, null, false]);
  assert.equal(parseState('age=10.5').age, null);
  assert.equal(parseState('age=0').age, 0, 'a baby has an age');

  const layers = parseState('layers=bands,activities');
  assert.deepEqual([...layers.layers], ['bands', 'activities']);
  assert.equal(serializeState(layers, { layers: true }), 'layers=bands,activities', 'the site page keeps its switches');
  assert.equal(serializeState(parseState('layers=none'), { layers: true }), 'layers=none');
  assert.equal(serializeState(parseState(''), { layers: true }), '', 'all layers: no parameter');
});

test('URL state: time of day and accessibility', () => {
  const query = 'point=10.75,59.92&weekday=2&time_of_day=evening&accessibility=wheelchair,hearing_loop';
  const s = parseState(query);
  assert.equal(s.timeOfDay, 'evening');
  assert.deepEqual(s.accessibility, ['wheelchair', 'hearing_loop']);
  assert.equal(serializeState(s), query);
  assert.equal(serializeState(s, { embed: true }), query, '/embed takes them too');

  // Known features only, in the API's order; an unknown time of day is dropped.
  const messy = parseState('time_of_day=night&accessibility=easy_language,bogus,,wheelchair,wheelchair');
  assert.equal(messy.timeOfDay, null);
  assert.deepEqual(messy.accessibility, ['wheelchair', 'easy_language']);
  assert.equal(serializeState(messy), 'accessibility=wheelchair,easy_language');
  assert.deepEqual(parseState('').accessibility, []);
});
