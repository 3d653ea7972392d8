// «Bygg inn denne siden»: the iframe code for this hub's page without the site's header and
// footer (?embed=1), to copy onto the municipality's own site, and a look at it first.

import { $, copyText } from '../kit/dom.js';
import { t } from '../kit/i18n.js';
import { page } from './context.js';
import { embedUrl } from './url.js';
import { hubName } from './render.js';

const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

export function embedCode() {
  const title = t('embed.frame_title', { name: hubName() });
  return `<iframe title="${esc(title)}" src="${esc(embedUrl(page.state))}" width="100%" height="900" style="border:0" loading="lazy"></iframe>`;
}

export function renderEmbed() {
  if (page.state.embed) {
    $('embed-part').hidden = true;
    return;
  }
  $('embed-code').value = embedCode();
  $('embed-preview').href = embedUrl(page.state);
}

export function wireEmbed() {
  $('embed-copy').addEventListener('click', async () => {
    $('embed-code').select();
    const ok = await copyText($('embed-code').value);
    $('embed-copy-status').textContent = ok ? t('embed.copied') : t('embed.copy_failed');
  });
}
