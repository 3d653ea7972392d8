// Shared by the browser tests: one naermiljo server and one Chromium per test file.
//
// The server is the built binary (NAERMILJO_BIN, default target/debug/naermiljo), started on a
// fresh data folder with the demo region (central Oslo from NAERMILJO_SHARED_DATA, default
// ../shared/data, else /work/shared/data). Chromium is Debian's /usr/bin/chromium driven by
// playwright-core from web/node_modules, launched so that nothing can leave the host
// (see ../shared/BROWSER-TESTS.md).
//
// NAERMILJO_TEST_URL=http://127.0.0.1:PORT runs the tests against a server that is already
// running instead (for example web/tools/dev-server.mjs while editing the pages).

import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SCREENSHOTS = join(REPO, 'target/screenshots');
const WEB = join(REPO, 'web');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** `require` that resolves from web/node_modules (where `npm ci --prefix web` installs). */
export const webRequire = createRequire(join(WEB, 'package.json'));

function need(module) {
  try {
    return webRequire.resolve(module);
  } catch {
    throw new Error(`${module} is not installed in web/node_modules. Run: npm ci --prefix web`);
  }
}

export function playwright() {
  need('playwright-core');
  return webRequire('playwright-core');
}

export const axePath = () => need('axe-core/axe.min.js');

function sharedData() {
  if (process.env.NAERMILJO_SHARED_DATA) return process.env.NAERMILJO_SHARED_DATA;
  const sibling = resolve(REPO, '../shared/data');
  return existsSync(sibling) ? sibling : '/work/shared/data';
}

/**
 * Starts `naermiljo --data TMP serve --listen 127.0.0.1:0 --demo --basemap TMP/basemap.pmtiles`
 * on a copy of the demo store (see `demoTemplate`) and resolves with its URL once it prints
 * `listening on http://ADDR`. `extraArgs`: global options put before `serve`
 * (`--smtp-url smtp://127.0.0.1:PORT`).
 */
export async function startServer({ timeoutMs = 90_000, extraArgs = [] } = {}) {
  if (process.env.NAERMILJO_TEST_URL) {
    return { url: process.env.NAERMILJO_TEST_URL.replace(/\/$/, ''), stop: async () => {} };
  }
  const bin = resolve(REPO, process.env.NAERMILJO_BIN ?? 'target/debug/naermiljo');
  if (!existsSync(bin)) {
    throw new Error(`no server binary at ${bin}: build it with \`cargo build\` or set NAERMILJO_BIN`);
  }
  const data = mkdtempSync(join(tmpdir(), 'naermiljo-browser-'));
  // The demo region imported once per binary, copied for each server (`--demo` finds it there).
  cpSync(await demoTemplate(bin, timeoutMs), data, { recursive: true });
  const server = await serve(bin, data, extraArgs, timeoutMs);
  return {
    url: server.url,
    /** The binary and its data folder, for CLI commands on the running server's store. */
    bin,
    data,
    async stop() {
      await server.stop();
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * A data folder with the demo region imported (store, basemap, example programme), made by
 * this binary once (its size and time stamp) under target/browser-demo: importing the demo
 * takes longer than most test files, so each server starts from a copy. A lock folder keeps
 * two test processes from making it at once.
 */
async function demoTemplate(bin, timeoutMs) {
  const dir = join(REPO, 'target', 'browser-demo');
  const stampFile = join(dir, 'made-by');
  const { size, mtimeMs } = statSync(bin);
  const stamp = `${bin} ${size} ${mtimeMs}`;
  const ready = () => existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp;
  if (ready()) return dir;
  const lock = `${dir}.lock`;
  mkdirSync(dirname(dir), { recursive: true });
  // Importing the demo takes a minute or two on a busy machine; another file waits for it.
  const templateMs = Math.max(timeoutMs, 300_000);
  const deadline = Date.now() + templateMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (Date.now() > deadline) throw new Error(`${lock} was held for ${templateMs / 1000} s: remove it if no test is running`);
      // Another test process is making it: wait for its lock to go, then look again.
      await new Promise((ok) => setTimeout(ok, 200));
      if (ready()) return dir;
    }
  }
  try {
    if (!ready()) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir);
      const server = await serve(bin, dir, [], templateMs);
      await server.stop();
      writeFileSync(stampFile, stamp);
    }
  } finally {
    rmdirSync(lock);
  }
  return dir;
}

/** Runs `serve --demo` on `data` until stopped; resolves once it prints its URL. */
async function serve(bin, data, extraArgs, timeoutMs) {
  const args = ['--data', data, ...extraArgs, 'serve', '--listen', '127.0.0.1:0', '--demo',
    '--basemap', join(data, 'basemap.pmtiles')];
  const child = spawn(bin, args, {
    cwd: REPO,
    env: { ...process.env, NAERMILJO_SHARED_DATA: sharedData() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));

  const url = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the server did not print "listening on" within ${timeoutMs / 1000} s\n${stderr}`)), timeoutMs);
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const m = line.match(/^listening on (http:\/\/\S+)/);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      fail(new Error(`the server exited (${signal ?? code}) before listening: ${bin} ${args.join(' ')}\n${stderr}`));
    });
  });
  // Keep reading stdout so that the server never blocks on a full pipe.
  child.stdout.resume();

  return {
    url,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }
    },
  };
}

/** Debian's Chromium, headless, with every route off the host closed. */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}. Install it: apt-get install -y chromium chromium-driver fonts-noto-core fonts-dejavu-core`);
  }
  const { chromium } = playwright();
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless=new', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1', // nothing resolves but loopback
      '--gaia-url=http://127.0.0.1:9/', '--component-updater=url-source=http://127.0.0.1:9/',
    ],
  });
}

const BENIGN_CONSOLE = [/GPU stall due to ReadPixels/, /GL Driver Message/];

/**
 * A fresh context and page that records every request (page, workers, frames) and every
 * error. `check()` asserts that all requests stayed on `origin` and nothing failed.
 */
export async function openPage(browser, origin, { viewport = { width: 1024, height: 640 }, ...options } = {}) {
  // Reduced motion: the map jumps instead of flying, which keeps the tests short.
  const context = await browser.newContext({
    viewport, locale: 'nb-NO', timezoneId: 'Europe/Oslo', reducedMotion: 'reduce', ...options,
  });
  const requests = [];
  const failures = [];
  const errors = [];
  context.on('request', (r) => requests.push(r.url()));
  context.on('requestfailed', (r) => {
    // Aborted by the page itself (MapLibre cancels tiles it no longer needs): not a failure.
    if (r.failure()?.errorText !== 'net::ERR_ABORTED') failures.push(`${r.url()}: ${r.failure()?.errorText}`);
  });
  context.on('response', (r) => { if (r.status() >= 400) failures.push(`${r.url()}: HTTP ${r.status()}`); });
  // Two test files run at once beside the Rust suite (scripts/test): on a busy machine a page
  // can take longer than playwright's 30 s default to reach a state; a failing wait still
  // fails, later.
  context.setDefaultTimeout(90_000);
  const page = await context.newPage();
  const watch = (p) => {
    p.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    p.on('console', (m) => {
      if (m.type() === 'error' && !BENIGN_CONSOLE.some((re) => re.test(m.text()))) errors.push(`console: ${m.text()}`);
    });
  };
  watch(page);
  context.on('page', watch);
  return {
    context,
    page,
    requests,
    failures,
    errors,
    /** Requests that left the server's origin (data: and blob: URLs stay in the page). */
    foreign: () => requests.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob|about):/.test(u)),
    close: () => context.close(),
  };
}

/** Waits for the page's app to have started and its map to have drawn everything. */
export async function settle(page, frame = page) {
  // Booleans polled, not the page's promises awaited: a wait begun while a navigation replaces
  // the document is run again in the new one, where an awaited promise of the old document
  // failed with "Resulting promise was garbage collected".
  await frame.waitForFunction(() => {
    const app = window.app;
    if (!app?.ready || !app.map) return false;
    if (!app.readyWatched) {
      app.readyWatched = true;
      app.ready.then(() => { app.readyDone = true; });
    }
    return app.readyDone === true;
  });
  await frame.waitForFunction(() => {
    const map = window.app.map;
    return map.loaded() && map.areTilesLoaded() && !map.isMoving();
  });
}

export function screenshotPath(name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, name);
}

/**
 * axe-core with the WCAG 2.0/2.1 A and AA rules; returns "rule: help (targets)" lines.
 *
 * axe is put into a document once. Before a run axe by default "preloads" two kinds of asset:
 * every style sheet, fetched and parsed again (about a third of a run on the residents' map),
 * for css-orientation-lock, which axe 4 tags experimental and so never runs here; and the
 * media elements, for no-autoplay-audio. Only the media are preloaded.
 */
export async function axeViolations(page, { context } = {}) {
  if (!(await page.evaluate(() => typeof window.axe?.run === 'function'))) {
    await page.addScriptTag({ path: axePath() });
  }
  return page.evaluate(async (ctx) => {
    const r = await window.axe.run(ctx ?? document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
      preload: { assets: ['media'] },
    });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 5).join(', ')})`);
  }, context ?? null);
}

export { mkdtempSync };
