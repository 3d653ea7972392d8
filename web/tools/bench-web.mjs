// The residents' map in the headless browser (issue 7's performance goals): time from
// navigation to the first drawn map, from choosing an address to the result list, and the
// bytes of the first load (compressed, as sent). Run by scripts/bench-web against the
// release binary; prints a Markdown table for docs/BENCHMARKS.md.
//
//   NAERMILJO_BIN=target/release/naermiljo node web/tools/bench-web.mjs [runs]

import { launchBrowser, openPage, startServer } from '../../tests/browser/harness.mjs';

const runs = Number(process.argv[2] ?? 10);
const ADDRESS = 'Thorvald Meyers gate 10';
const server = await startServer();
const browser = await launchBrowser();
const firstDraw = [];
const toList = [];
const bytes = [];
const responses = [];
try {
  for (let i = 0; i < runs; i++) {
    // A fresh context each run: a cold cache, like a first visit.
    const p = await openPage(browser, server.url, { viewport: { width: 1280, height: 800 } });
    // Every finished request of the page and its workers (MapLibre fetches tiles in a
    // worker): response headers and the body as sent (compressed).
    let total = 0;
    let count = 0;
    const pending = [];
    p.context.on('requestfinished', (r) => {
      pending.push(r.sizes().then((z) => { total += z.responseBodySize + z.responseHeadersSize; count += 1; }));
    });
    await p.page.goto(`${server.url}/`);
    await p.page.waitForFunction(() => window.app?.ready && window.app?.map);
    await p.page.evaluate(() => window.app.ready);
    firstDraw.push(await p.page.evaluate(async () => { await window.app.idle(); return performance.now(); }));
    // Workers' requests finish on their own sessions' time; give the page a moment to be quiet.
    await p.page.waitForLoadState('networkidle');
    await Promise.all(pending);
    bytes.push(total);
    responses.push(count);

    const box = p.page.getByRole('combobox');
    await box.fill(ADDRESS);
    await p.page.waitForSelector('[role=option]', { state: 'visible' });
    await box.press('ArrowDown');
    await box.press('Enter');
    await p.page.waitForFunction(() => window.app.timings.listRenderedAt > window.app.timings.chosenAt);
    toList.push(await p.page.evaluate(() => window.app.timings.listRenderedAt - window.app.timings.chosenAt));
    if (p.foreign().length) throw new Error(`requests left the origin: ${p.foreign().join(', ')}`);
    await p.close();
  }
} finally {
  await browser.close();
  await server.stop();
}

const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => sorted(xs)[Math.floor((xs.length - 1) / 2)];
const max = (xs) => sorted(xs).at(-1);
const ms = (x) => `${Math.round(x)} ms`;
console.log(`| what (${runs} runs, fresh browser context each) | median | worst |`);
console.log('| --- | --- | --- |');
console.log(`| navigation → map drawn (MapLibre idle) | ${ms(median(firstDraw))} | ${ms(max(firstDraw))} |`);
console.log(`| address chosen → result list shown | ${ms(median(toList))} | ${ms(max(toList))} |`);
console.log(`| first load, bytes on the wire | ${(median(bytes) / 1024).toFixed(0)} KiB in ${median(responses)} responses | ${(max(bytes) / 1024).toFixed(0)} KiB |`);
