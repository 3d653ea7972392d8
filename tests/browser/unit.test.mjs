// Checks of the web page's plain modules and files that need no browser and no server.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

import { REPO } from './harness.mjs';
import { parseState, serializeState } from '../../web/url-state.js';
import { baseOf, at, BASE_PATH } from '../../web/kit/base.js';

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
  for (const folder of ['web/i18n', 'web/i18n/planner', 'web/i18n/org', 'web/i18n/district', 'web/i18n/participation', 'web/i18n/hub', 'web/i18n/api']) {
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

test('kit/base.js: app paths under the prefix the module was served from', () => {
  const kart = baseOf('https://kommune.no/kart/static/kit/base.js');
  assert.equal(kart.root.href, 'https://kommune.no/kart/');
  assert.equal(kart.basePath, '/kart');
  assert.equal(kart.at('/api/reach?lon=10.75&lat=59.92'), '/kart/api/reach?lon=10.75&lat=59.92');
  assert.equal(kart.at('/'), '/kart/');
  assert.equal(kart.at('/?lang=en'), '/kart/?lang=en');
  const next = 'https://kommune.no/kart/api/collections/proposals/items?offset=500';
  assert.equal(kart.at(next), next, 'an absolute URL (an API `next` link) is left as it is');
  assert.equal(kart.at('//cdn.example/x.js'), '//cdn.example/x.js');
  assert.equal(kart.at('#main'), '#main');
  assert.equal(kart.at('?lang=en'), '?lang=en');
  assert.equal(kart.abs('/embed'), 'https://kommune.no/kart/embed');
  assert.equal(kart.abs('/tiles/coverage.json?kind=school'), 'https://kommune.no/kart/tiles/coverage.json?kind=school');
  assert.equal(kart.abs(next), next);
  assert.equal(kart.appPath('/kart/omrade/0301'), '/omrade/0301');
  assert.equal(kart.appPath('/kart/knutepunkt/osm%3An1/'), '/knutepunkt/osm%3An1/');
  assert.equal(kart.appPath('/kart/'), '/');
  assert.equal(kart.appPath('/kart'), '/');
  assert.equal(kart.appPath('/kartverket/x'), '/kartverket/x', 'only whole segments are the prefix');

  const root = baseOf('http://127.0.0.1:8080/static/kit/base.js');
  assert.equal(root.basePath, '');
  assert.equal(root.at('/api/reach?x=1'), '/api/reach?x=1', 'at the root nothing changes');
  assert.equal(root.at('/'), '/');
  assert.equal(root.abs('/'), 'http://127.0.0.1:8080/');
  assert.equal(root.abs('/styles/default.json'), 'http://127.0.0.1:8080/styles/default.json');
  assert.equal(root.appPath('/omrade/0301'), '/omrade/0301');
  assert.equal(root.appPath('/'), '/');

  assert.equal(baseOf('https://k.no/a/b/static/kit/base.js').at('/api'), '/a/b/api', 'a prefix of two segments');
  // Loaded here from a file: the module's own exports are the same functions.
  assert.equal(at('/api'), `${BASE_PATH}/api`);
});

test('every root path a script uses goes through kit/base.js (at, abs), so a prefix reaches it', () => {
  const web = join(REPO, 'web');
  /** The page's own files ending in `ext` (not the npm folder, vendored code or the tools). */
  const files = (dir, ext) => readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return ['node_modules', 'vendor', 'tools'].includes(e.name) ? [] : files(join(dir, e.name), ext);
    return e.name.endsWith(ext) ? [join(dir, e.name)] : [];
  });
  const own = join(web, 'kit/base.js'); // the one place that knows the prefix
  // A quoted root path of the app: '/api…', `/omrade/…`, the front page '/' and '/?…'.
  const ROOT_PATH = /(['"`])\/(?:(?:api|auth|static|vendor|fonts|styles|tiles|org|admin|planner|embed|medvirkning|omrade|knutepunkt|delta)\b|\1|\?)/g;
  // Functions that take an app path and put it through at() themselves (checked below).
  const WRAPPERS = {
    api: ['org/api.js'],
    json: ['planner/load.js'],
    once: ['planner/load.js'],
    getJson: ['hub/load.js', 'participation/main.js'],
    allFeatures: ['participation/main.js'],
    post: ['residents/proposal-form.js'],
  };
  // '/' as a separator, not a path.
  const STRING_METHODS = ['split', 'join', 'startsWith', 'endsWith', 'includes', 'indexOf', 'lastIndexOf', 'replace', 'replaceAll'];
  /** The call a literal is directly inside (its name), '{' or '[' for an object or array, '' for none. */
  const enclosing = (before) => {
    let depth = 0;
    for (let i = before.length - 1; i >= 0; i--) {
      const c = before[i];
      if (')]}'.includes(c)) depth++;
      else if ('([{'.includes(c)) {
        if (depth) depth--;
        else return c === '(' ? (/([\w$]+)\s*$/.exec(before.slice(0, i))?.[1] ?? '') : c;
      }
    }
    return '';
  };

  const bad = [];
  const definers = Object.fromEntries(Object.keys(WRAPPERS).map((name) => [name, []]));
  for (const file of files(web, '.js').filter((f) => f !== own)) {
    const name = relative(web, file).split('\\').join('/');
    const text = readFileSync(file, 'utf8');
    for (const w of Object.keys(WRAPPERS)) {
      if (new RegExp(`(?:function\\s+${w}\\s*\\(|(?:const|let)\\s+${w}\\s*=\\s*(?:async\\s*)?\\()`).test(text)) definers[w].push(name);
    }
    text.split('\n').forEach((full, i) => {
      const where = `web/${name}:${i + 1}: ${full.trim()}`;
      if (/^\s*(\/\/|\/\*|\*)/.test(full)) return;
      const line = full.replace(/(^|\s)\/\/\s.*$/, '');
      if (/location\.origin\}\//.test(line)) bad.push(where);
      if (/\bfetch\((?!at\()/.test(line)) bad.push(where);
      for (const m of line.matchAll(ROOT_PATH)) {
        const before = line.slice(0, m.index);
        const call = enclosing(before);
        if (call === 'at' || call === 'abs' || Object.hasOwn(WRAPPERS, call)) continue;
        if (/\b(dir|SHARED_DIR)\s*[:=]\s*$/.test(before)) continue; // a kit/i18n.js folder: it adds the prefix
        if (m[0].endsWith(`/${m[1]}`) && STRING_METHODS.includes(call)) continue;
        bad.push(where);
      }
    });
  }
  assert.deepEqual(bad, [], 'root paths that skip kit/base.js (wrap them in at() or abs()):\n'
    + [...new Set(bad)].join('\n'));
  // The wrappers are the ones meant (a new post() elsewhere is not let through unseen); their
  // fetch goes through at(), as every fetch must (above).
  for (const [w, where] of Object.entries(WRAPPERS)) {
    assert.deepEqual(definers[w].sort(), [...where].sort(), `${w}() is defined in ${where.join(', ')} only`);
  }
  // Stylesheets: relative url()s, resolved against the stylesheet (kit/base.css: ../../fonts/).
  const rooted = files(web, '.css').flatMap((file) => readFileSync(file, 'utf8').split('\n')
    .flatMap((line, i) => (/url\(\s*['"]?\/(?!\/)/.test(line) ? [`web/${relative(web, file)}:${i + 1}: ${line.trim()}`] : [])));
  assert.deepEqual(rooted, [], `root-absolute url() in a stylesheet:\n${rooted.join('\n')}`);
});
