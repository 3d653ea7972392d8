// Where the service lives: at the root of its host, or under a path behind a reverse proxy
// (https://kommune.no/kart/). Read from where this very module was loaded,
// {root}static/kit/base.js, so it needs nothing from the page and is right in an iframe on
// another site too. The pages' app paths ('/api/…', '/static/…', '/omrade/{id}', '/') go
// through `at()` (links, fetches, the address bar) or `abs()` (whole URLs: MapLibre's style
// and TileJSON, the embed code, printed addresses); `appPath()` is the path without the prefix,
// for reading an id from it. At the root the prefix is '' and every one of them is a no-op.

/**
 * The helpers for a module loaded from `moduleUrl` (`{root}static/kit/base.js`): `root` (a URL,
 * `https://host/kart/`), `basePath` ('' or '/kart'), `at`, `abs` and `appPath` as exported
 * below. Exported on its own so that the logic can be tried with any address.
 */
export function baseOf(moduleUrl) {
  const root = new URL('../../', moduleUrl);
  const basePath = root.pathname.replace(/\/$/, '');
  const at = (p) => (p.startsWith('/') && !p.startsWith('//') ? basePath + p : p);
  return {
    root,
    basePath,
    at,
    abs: (p) => new URL(at(p), root.origin).href,
    appPath: (pathname) => {
      if (!basePath) return pathname || '/';
      if (pathname === basePath) return '/';
      return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : pathname;
    },
  };
}

const base = baseOf(import.meta.url);

/** The service's root as a URL: `https://host/` or `https://host/kart/`. */
export const ROOT = base.root;

/** The path prefix: '' at the root, else '/kart' (no trailing slash). */
export const BASE_PATH = base.basePath;

/**
 * An app path ('/api/x?y') as the path to use ('/kart/api/x?y'). Anything else (an absolute
 * URL such as an API's `next` link, `//host/…`, a relative path, '#id') is returned as it is.
 */
export const at = base.at;

/** The same as a whole URL (`https://host/kart/embed?…`): embed code, MapLibre sources, printed addresses. */
export const abs = base.abs;

/**
 * `pathname` (default: the address bar's) without the prefix, for routing: '/kart/omrade/x' →
 * '/omrade/x', '/kart' → '/'. A path outside the prefix is returned as it is.
 */
export const appPath = (pathname = location.pathname) => base.appPath(pathname);
