// What the portal's test files share: a server whose email goes to an SMTP server of the
// test's own (smtp.mjs), a browser, and the sign-in link read from a message.

import assert from 'node:assert/strict';

import { launchBrowser, startServer } from './harness.mjs';
import { startSmtp } from './smtp.mjs';

/** `{ smtp, server, browser, origin }`: the SMTP server, the naermiljo server sending to it, Chromium. */
export async function startPortal() {
  const started = {};
  try {
    started.smtp = await startSmtp();
    started.server = await startServer({ extraArgs: ['--smtp-url', `smtp://127.0.0.1:${started.smtp.port}`] });
    started.browser = await launchBrowser();
  } catch (e) {
    // What did start is stopped, so that nothing keeps the test process alive.
    await stopPortal(started);
    throw e;
  }
  return { ...started, origin: started.server.url };
}

/** Stops what `startPortal` started (any of them may be missing after a failed start). */
export async function stopPortal({ smtp, server, browser } = {}) {
  await browser?.close();
  await server?.stop();
  await smtp?.close();
}

/** The sign-in link in an email's text, on `origin`. */
export function signInLink(origin, text) {
  const m = /https?:\/\/[^\s/]+(\/auth\/link\/[0-9a-f]{64})/.exec(text);
  assert.ok(m, `a sign-in link in:\n${text}`);
  return `${origin}${m[1]}`;
}
