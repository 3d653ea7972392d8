// "Bygg inn kartet" (only on /): the iframe code for the current view, in a modal dialog.

import { $, copyText } from '../kit/dom.js';
import { at, abs } from '../kit/base.js';
import { t, defaultLanguage } from '../kit/i18n.js';
import { modal } from '../kit/dialog.js';
import { withQuery } from '../kit/url.js';
import { serializeState } from '../url-state.js';
import { page } from './context.js';

/** The /embed query of the current view with the chosen list placement (and proposals=1, nature=1 when chosen). */
function embedQuery() {
  const list = document.querySelector('input[name=embed-list]:checked')?.value ?? 'side';
  const proposals = $('embed-proposals')?.checked ? true : null;
  const nature = $('embed-nature') ? $('embed-nature').checked : page.state.nature;
  return serializeState({ ...page.state, list, proposals, nature }, { embed: true, defaultLang: defaultLanguage });
}

/** The iframe's height: the field's value, or the nearest allowed one (and then it says so). */
function embedHeight() {
  const input = $('embed-height');
  const typed = input.value.trim();
  const n = Number(typed);
  const height = Math.round(Math.min(2000, Math.max(300, n || 600)));
  const fixed = Boolean(input.validity?.badInput) || (typed !== '' && !(Number.isFinite(n) && n >= 300 && n <= 2000));
  input.setAttribute('aria-invalid', String(fixed));
  const note = $('embed-height-note');
  const text = fixed ? t('embed.height_fixed', { height: String(height) }) : '';
  if (note.textContent !== text) note.textContent = text;
  return height;
}

function embedCode() {
  const title = $('embed-frame-title').value.trim() || t('embed.default_title');
  const height = embedHeight();
  const src = withQuery(abs('/embed'), embedQuery());
  const esc = (s) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<iframe title="${esc(title)}" src="${esc(src)}" width="100%" height="${height}" style="border:0" loading="lazy"></iframe>`;
}

export function updateEmbedCode() {
  $('embed-code').value = embedCode();
  $('embed-preview').href = withQuery(at('/embed'), embedQuery());
}

export function wireEmbedDialog() {
  const dialog = $('embed-dialog');
  if (!dialog) return;
  const { open } = modal(dialog, { closers: [$('embed-close')], fallback: () => $('embed-open') });
  $('embed-open').addEventListener('click', () => {
    if (!$('embed-frame-title').value) $('embed-frame-title').value = t('embed.default_title');
    // The nature layer as the map shows it now; the box changes only the code.
    if ($('embed-nature')) $('embed-nature').checked = page.state.nature;
    updateEmbedCode();
    $('embed-copy-status').textContent = '';
    open($('embed-open'));
  });
  for (const id of ['embed-frame-title', 'embed-height']) $(id).addEventListener('input', updateEmbedCode);
  $('embed-list').addEventListener('change', updateEmbedCode);
  $('embed-proposals')?.addEventListener('change', updateEmbedCode);
  $('embed-nature')?.addEventListener('change', updateEmbedCode);
  $('embed-copy').addEventListener('click', async () => {
    $('embed-code').select();
    const ok = await copyText($('embed-code').value);
    $('embed-copy-status').textContent = ok ? t('embed.copied') : t('embed.copy_failed');
  });
}
