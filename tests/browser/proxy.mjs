// A real reverse proxy for the browser tests: Debian's nginx in front of a naermiljo server,
// serving it under a path (/kart/, /kommune/) as a municipality's web server would
// (docs/PLAN-proxy-prefix.md, section 3). Everything nginx writes (config, pid, logs, temp
// files) stays in a fresh temporary folder; nginx runs in the foreground as one process, a
// child of the test, and outside the routes it answers 404, so a page that asks for a root
// path (/static/…) instead of /kart/static/… gets a failed request.
//
//   const proxy = await startProxy({ backend: server.url });   // /kart/ and /kommune/
//   await fetch(`${proxy.url}/kart/api`);
//   await proxy.stop();
//
// NGINX=/path/to/nginx uses another binary (default /usr/sbin/nginx).

import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';

const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';

/**
 * A route that sends the X-Forwarded-* family: proto, host (with the port: $http_host, not
 * $host) and the prefix, as most guides for nginx say.
 */
export const xForwarded = (prefix) => ({
  prefix,
  headers: {
    Host: '$http_host',
    'X-Forwarded-Proto': '$scheme',
    'X-Forwarded-Host': '$http_host',
    'X-Forwarded-Prefix': prefix,
    'X-Forwarded-For': '$proxy_add_x_forwarded_for',
    // Not used on this route: cleared, so that a client's own cannot pass (README's example).
    Forwarded: '',
  },
});

/**
 * A route that sends RFC 7239 `Forwarded` (host quoted: it has a `:`), and beside it a wrong
 * X-Forwarded-Host that the server must not prefer. The prefix can only come from
 * X-Forwarded-Prefix (Forwarded has no parameter for it). Host is nginx's default, the backend's address.
 */
export const forwarded = (prefix) => ({
  prefix,
  headers: {
    Forwarded: 'for=$remote_addr;proto=$scheme;host="$http_host"',
    'X-Forwarded-Host': 'wrong.invalid',
    'X-Forwarded-Prefix': prefix,
  },
});

/**
 * A route that tells the server nothing: no X-Forwarded-*, no Forwarded, and a wrong Host. Only a
 * server started with `--public-url` (whose path is the prefix) can make right links behind it.
 */
export const bare = (prefix, host = 'wrong.invalid') => ({ prefix, headers: { Host: host } });

/** /kart with X-Forwarded-*, /kommune with Forwarded (the plan's variants A and B). */
const defaultRoutes = () => [xForwarded('/kart'), forwarded('/kommune')];

/** A port on 127.0.0.1 that was free a moment ago (for a server that must know it in advance). */
export function reservePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/** A value for nginx's double-quoted strings; `$name` stays a variable. */
const quoted = (s) => `"${String(s).replace(/[\\"]/g, '\\$&')}"`;

/** The nginx.conf for `routes` (exported for a look at it: `node -e …`). */
export function nginxConfig({ dir, port, backend, routes = defaultRoutes() }) {
  const upstream = new URL(backend);
  if (upstream.protocol !== 'http:' || (upstream.pathname !== '/' && upstream.pathname !== '')) {
    throw new Error(`the backend must be http://host:port, not ${backend}`);
  }
  const locations = routes.map(({ prefix, headers }) => {
    if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(prefix)) throw new Error(`a route's prefix must look like /kart, not ${prefix}`);
    const set = Object.entries(headers).map(([name, value]) => {
      if (!/^[A-Za-z0-9-]+$/.test(name)) throw new Error(`not a header name: ${name}`);
      return `      proxy_set_header ${name} ${quoted(value)};`;
    });
    // The URI part "/" of proxy_pass replaces the matched "/kart/": the server sees /api, not /kart/api.
    return `    location ${prefix}/ {
      proxy_pass http://${upstream.host}/;
      proxy_http_version 1.1;
${set.join('\n')}
      proxy_redirect off;   # the server's own Location headers must be right
    }`;
  });
  return `# Written by tests/browser/proxy.mjs; removed when the proxy stops.
daemon off;           # a child of the test: it stops with it
master_process off;   # one process that stays the invoking user (as root, workers would switch to nobody)
pid ${dir}/nginx.pid;
lock_file ${dir}/nginx.lock;
error_log ${dir}/error.log warn;
events { worker_connections 512; }
http {
  log_format naermiljo '$status $request_method $request_uri';
  access_log ${dir}/access.log naermiljo;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  proxy_max_temp_file_size 0;
  client_max_body_size 20m;
  default_type text/plain;
  server {
    listen 127.0.0.1:${port};
${locations.join('\n')}
    location / { return 404; }   # a request that left the prefix fails visibly
  }
}
`;
}

const tail = (text, lines = 20) => text.trimEnd().split('\n').slice(-lines).join('\n');
const readLog = (file) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

/**
 * Starts nginx on 127.0.0.1 in front of `backend` (http://127.0.0.1:PORT) with `routes`
 * (default: /kart with X-Forwarded-*, /kommune with Forwarded; see above). `port`: listen
 * there (from `reservePort()`, when the server must know its public address first); without
 * one a free port is picked. Resolves once `readyPath` (default: the first route's /healthz)
 * answers 200 through nginx.
 *
 * Resolves with `{ url, port, dir, accessLog(), errorLog(), stop() }`.
 */
export async function startProxy({
  backend, routes = defaultRoutes(), port, readyPath, timeoutMs = 10_000,
} = {}) {
  if (!backend) throw new Error('startProxy needs the backend\'s URL (http://127.0.0.1:PORT)');
  if (!existsSync(NGINX)) {
    throw new Error(`nginx is not installed: apt-get install -y nginx${process.env.NGINX ? ` (or point NGINX at it: there is nothing at ${NGINX})` : ''}`);
  }
  if (!routes.length) throw new Error('startProxy needs at least one route');
  const ready = readyPath ?? `${routes[0].prefix}/healthz`;
  // A port picked here can be taken by someone else before nginx binds it: try again with another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce({ backend, routes, port: port ?? (await reservePort()), ready, timeoutMs });
    } catch (e) {
      if (port !== undefined || attempt >= 3 || !e.addressInUse) throw e;
    }
  }
}

async function startOnce({ backend, routes, port, ready, timeoutMs }) {
  const dir = mkdtempSync(join(tmpdir(), 'naermiljo-nginx-'));
  const conf = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  const accessLog = join(dir, 'access.log');
  const args = ['-p', `${dir}/`, '-c', conf, '-e', errorLog];
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  try {
    mkdirSync(join(dir, 'tmp'));
    writeFileSync(conf, nginxConfig({ dir, port, backend, routes }));
    await new Promise((ok, fail) => execFile(NGINX, ['-t', '-q', ...args], (err, stdout, stderr) => {
      if (!err) ok();
      else fail(new Error(`nginx -t rejected ${conf}:\n${stderr}${tail(readLog(errorLog))}\n--- nginx.conf ---\n${readFileSync(conf, 'utf8')}`));
    }));
  } catch (e) {
    cleanUp();
    throw e;
  }

  const child = spawn(NGINX, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr = (stderr + d).slice(-4000); });
  const exited = new Promise((ok) => child.once('exit', (code, signal) => ok({ code, signal })));
  let gone = null;
  exited.then((how) => { gone = how; });
  // If the test process dies without stop(), nginx must not outlive it.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);

  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    process.removeListener('exit', orphan);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGQUIT'); // graceful: open requests are finished first
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    cleanUp();
  };

  // Ready when a request through nginx reaches the server (a 502 means nginx is up but the backend is not).
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    if (gone) {
      const log = tail(readLog(errorLog)) || stderr; // nginx says the same on both
      await stop();
      const e = new Error(`nginx exited (${gone.signal ?? gone.code}) before it was ready on ${url}:\n${log}`);
      e.addressInUse = /Address already in use/.test(log);
      throw e;
    }
    try {
      const r = await fetch(`${url}${ready}`, { signal: AbortSignal.timeout(1000) });
      await r.arrayBuffer();
      if (r.status === 200) break;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    if (Date.now() > deadline) {
      const log = tail(readLog(errorLog));
      await stop();
      throw new Error(`${url}${ready} did not answer 200 through nginx within ${timeoutMs / 1000} s (last: ${last}):\n${log}`);
    }
    await pause(100);
  }

  return {
    url,
    port,
    dir,
    /** What nginx was asked, one line per request: "STATUS METHOD URI". */
    accessLog: () => readLog(accessLog),
    errorLog: () => readLog(errorLog),
    stop,
  };
}
