// The residents' view in the URL (the parameters: ../url-state.js): the address bar, the
// language links, the "open the full map" link of /embed and the embed dialog's code follow
// every change.

import { $ } from '../kit/dom.js';
import { at } from '../kit/base.js';
import { defaultLanguage } from '../kit/i18n.js';
import { replaceQuery, withQuery } from '../kit/url.js';
import { updateLanguageLinks } from '../kit/languages.js';
import { serializeState } from '../url-state.js';
import { page } from './context.js';
import { updateEmbedCode } from './embed-dialog.js';

/** This page's query for `state` (the site page keeps its layer switches too). */
const queryOf = (state) => serializeState(state, { embed: page.mode === 'embed', layers: true, defaultLang: defaultLanguage });

export function writeUrl() {
  replaceQuery(queryOf(page.state));
  const big = $('open-full');
  if (big) big.href = withQuery(at('/'), serializeState(page.state, { layers: true, defaultLang: defaultLanguage }));
  // The nærutvalg's page, in this page's language (outside the frame when embedded).
  const all = $('proposals-all');
  if (all) {
    all.href = at(page.state.lang && page.state.lang !== defaultLanguage ? `/medvirkning?lang=${page.state.lang}` : '/medvirkning');
    if (page.mode === 'embed') all.target = '_top';
  }
  updateLanguageLinks(languageHref);
  if ($('embed-dialog')?.open) updateEmbedCode();
}

/** This page in another language. */
export const languageHref = (code) => withQuery(location.pathname, queryOf({ ...page.state, lang: code }));
