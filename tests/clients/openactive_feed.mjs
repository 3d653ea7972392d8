// OpenActive's own validators over pages of our RPDE feed (issue 17 item 4), as an
// aggregator's publisher check would run them:
// - @openactive/rpde-validator's FeedPageChecker: each page's shape, next URL, licence,
//   content type and caching;
// - @openactive/data-model-validator: each page as an RPDE feed, every item's `data` as an
//   OpenActive SessionSeries (Modelling Opportunity Data 2.0).
//
// Usage: node tests/clients/openactive_feed.mjs PAGES.json CATEGORIES.json
//   PAGES.json: [{ url, json, contentType, cacheControl, status }], in the order walked.
//   CATEGORIES.json: the server's /api/feeds/activity-categories, which the data-model
//   validator looks up as the activity list the items name (it is put in the validator's
//   cache, so nothing is fetched from the network).
// Prints { pages, rpde: [..problems], model: [..problems with severity failure] } as JSON.
// Needs `npm ci --prefix web` (the validators are pinned in web/package.json).

import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const web = resolve(dirname(fileURLToPath(import.meta.url)), '../../web');
const require = createRequire(join(web, 'package.json'));
let validate, FeedPageChecker;
try {
  ({ validate } = require('@openactive/data-model-validator'));
  ({ FeedPageChecker } = require('@openactive/rpde-validator'));
} catch (e) {
  console.error(`openactive_feed.mjs: the OpenActive validators are missing; run \`npm ci --prefix web\` (${e.message})`);
  process.exit(2);
}

const [pagesFile, categoriesFile] = process.argv.slice(2);
if (!pagesFile || !categoriesFile) {
  console.error('usage: node tests/clients/openactive_feed.mjs PAGES.json CATEGORIES.json');
  process.exit(2);
}
const pages = JSON.parse(readFileSync(pagesFile, 'utf8'));
const categories = JSON.parse(readFileSync(categoriesFile, 'utf8'));

// The validator's file cache, keyed by the SHA-256 of the URL (its json-loader's scheme).
const cache = mkdtempSync(join(tmpdir(), 'openactive-cache-'));
const schemeUrl = categories['@id'];
const key = createHash('sha256').update(schemeUrl).digest('hex');
writeFileSync(join(cache, `${key}.json`), JSON.stringify({
  errorCode: 'error_none', statusCode: 200, url: schemeUrl, contentType: 'application/ld+json',
  exception: null, fetchTime: Date.now(),
  data: { ...categories, concept: categories.concept.map((c) => ({ ...c, id: c['@id'] })) },
}));

const checker = new FeedPageChecker();
const rpde = [];
const model = [];
for (const [i, p] of pages.entries()) {
  for (const e of checker.validateRpdePage({
    url: p.url, json: p.json, pageIndex: i, contentType: p.contentType,
    cacheControl: p.cacheControl, status: p.status,
    isInitialHarvestComplete: i === pages.length - 1, isOrdersFeed: false,
  })) {
    rpde.push({ page: i, type: e.type, message: e.message });
  }
  const errors = await validate(p.json, {
    validationMode: 'RPDEFeed', loadRemoteJson: true, remoteJsonCachePath: cache,
    remoteJsonCacheTimeToLive: 10 * 365 * 86400,
  });
  for (const e of errors.filter((x) => x.severity === 'failure')) {
    model.push({ page: i, type: e.type, path: e.path, message: (e.message || '').split('\n')[0] });
  }
}
console.log(JSON.stringify({ pages: pages.length, rpde, model }));
