// Runs every browser test file (tests/browser/*.test.mjs), `--concurrency N` files at a time
// (default 2), the longest first, and prints node:test's TAP report. Exits 1 if any test fails.
//
//   NAERMILJO_BIN=target/debug/naermiljo node tests/browser/run.mjs [--concurrency N]
//
// `node --test` sorts the files by name, so a long file that sorts late runs alone at the end
// while the other lane idles. Taking the longest first (the classic LPT order) leaves only
// short files for the end. LONGEST_FIRST is the order of the files' durations in a clean-clone
// `.ci/run` (docs/BENCHMARKS.md, "The test command"); a file not named there runs after them,
// by name. One file alone: `node --test tests/browser/X.test.mjs`.

import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from 'node:test';
import { tap } from 'node:test/reporters';
import { fileURLToPath } from 'node:url';

const LONGEST_FIRST = [
  'web', 'proposals', 'nature', 'org', 'audit', 'district', 'planner', 'admin', 'participation',
  'api-html', 'hours', 'hub', 'proxy', 'problems', 'season', 'org-open-data', 'symbols',
].map((name) => `${name}.test.mjs`);

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const at = args.indexOf('--concurrency');
const concurrency = at >= 0 ? Number(args[at + 1]) : 2;
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error(`tests/browser/run.mjs: --concurrency needs a whole number ≥ 1, not ${args[at + 1]}`);
  process.exit(2);
}

const all = readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort();
const rank = (f) => (LONGEST_FIRST.includes(f) ? LONGEST_FIRST.indexOf(f) : LONGEST_FIRST.length);
const files = all.sort((a, b) => rank(a) - rank(b)).map((f) => join(here, f));

let failed = 0;
const stream = run({ files, concurrency });
stream.on('test:fail', () => { failed += 1; });
stream.on('end', () => { process.exitCode = failed > 0 ? 1 : 0; });
stream.compose(tap).pipe(process.stdout);
