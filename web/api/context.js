// What the API page knows: the document the server put in it, which kind it is, its content
// CRS, the collection it belongs to (for titles), the language and contrast, and the map.

export const page = {
  /** landing | conformance | collections | collection | queryables | items | item */
  kind: null,
  /** The JSON document, exactly as the API answers it. */
  doc: null,
  /** `{ kind, collection, item }` from the address (links.js `parsePath`). */
  path: null,
  /** The CRS of the coordinates (Content-Crs), bare; null when the server gave none. */
  crs: null,
  /** The collection's own document (its title and links), for pages below it; null until had. */
  collectionDoc: null,
  lang: 'nb',
  contrast: null,
  map: null,
  /** The map could not be drawn (no WebGL, …): the page says so instead. */
  mapFailed: false,
};
