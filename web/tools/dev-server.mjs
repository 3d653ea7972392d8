// A development server for the web pages: serves them by the same routes as the Rust server
// (/, /embed, /planner, /static, /vendor/maplibre-gl, /fonts, /styles with {base}) and passes every other
// request (/api, /tiles, /healthz) to a running naermiljo. Edit, reload, no Rust build.
//
//   node web/tools/dev-server.mjs http://127.0.0.1:8080 [port]
//
// The tests never use it: they run against the real server.

import { createServer, request } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const upstream = new URL(process.argv[2] ?? 'http://127.0.0.1:8080');
const port = Number(process.argv[3] ?? 0);
const root = fileURLToPath(new URL('../../', import.meta.url));
const web = join(root, 'web');
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.json': 'application/json', '.woff2': 'font/woff2', '.map': 'application/json',
};

function inside(base, rel) {
  const p = normalize(join(base, rel));
  return p.startsWith(base) ? p : null;
}

async function file(res, path, transform) {
  try {
    let body = await readFile(path);
    if (transform) body = transform(body.toString());
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'application/problem+json' });
    res.end(JSON.stringify({ status: 404, title: 'Not found' }));
  }
}

// What the Rust server puts in every page's head from its data (src/http/web.rs), stood in for.
const page = (html) => html.replace('</head>',
  '<meta name="naermiljo-example-address" content="Storgata 1"></head>');

const server = createServer((req, res) => {
  const url = new URL(req.url, `http://${req.headers.host}`);
  const path = decodeURIComponent(url.pathname);
  const base = `http://${req.headers.host}`;
  let m;
  if (path === '/') return file(res, join(web, 'index.html'), page);
  if (path === '/embed') return file(res, join(web, 'embed.html'), page);
  if (path === '/planner') return file(res, join(web, 'planner.html'), page);
  if ((m = path.match(/^\/static\/(.+)$/))) return file(res, inside(web, m[1]) ?? '/nonexistent');
  if ((m = path.match(/^\/vendor\/maplibre-gl\/([\w.-]+)$/))) return file(res, join(web, 'node_modules/maplibre-gl/dist', m[1]));
  if ((m = path.match(/^\/fonts\/([\w.-]+)$/))) return file(res, join(web, 'node_modules/@fontsource/noto-sans/files', m[1]));
  if ((m = path.match(/^\/styles\/([\w-]+)\.json$/))) {
    return file(res, join(root, 'tiles/styles', `${m[1]}.json`), (s) => s.replaceAll('{base}', base));
  }
  // Until the server has a basemap: an empty one, so that the pages can be worked on.
  if (path === '/tiles/basemap.json' && process.env.STUB_BASEMAP) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      tilejson: '3.0.0', name: 'basemap (stub)', attribution: '© OpenStreetMap contributors',
      tiles: [`${base}/tiles/basemap-stub/{z}/{x}/{y}.mvt`], minzoom: 10, maxzoom: 16,
      vector_layers: ['water', 'waterway', 'landuse', 'building', 'road', 'rail', 'place'].map((id) => ({ id, fields: {} })),
    }));
    return undefined;
  }
  if (path.startsWith('/tiles/basemap-stub/')) {
    res.writeHead(204);
    res.end();
    return undefined;
  }
  // Everything else goes to the Rust server; TileJSON URLs are rewritten to this origin.
  const up = request({
    host: upstream.hostname, port: upstream.port, path: req.url, method: req.method,
    headers: { ...req.headers, host: upstream.host, 'accept-encoding': 'identity' },
  }, (r) => {
    const type = r.headers['content-type'] ?? '';
    if (/json/.test(type) && path.startsWith('/tiles/')) {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => {
        const body = Buffer.concat(chunks).toString().replaceAll(upstream.origin, base);
        res.writeHead(r.statusCode, { 'content-type': type });
        res.end(body);
      });
    } else {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    }
  });
  up.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
  req.pipe(up);
  return undefined;
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port} (upstream ${upstream.origin})`);
});
