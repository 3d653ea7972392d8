// Small words of the page: a place's state now, a service's label, a contact as a link.

import { h } from '../kit/dom.js';
import { t, currentLanguage, freeLang, formatChange } from '../kit/i18n.js';

/**
 * «Åpen nå · stenger 15.30» / «Stengt · åpner man. 08.00» from `open_now` and `next_change`,
 * or null when the hours are unknown (unknown is never said as closed).
 */
export function stateText({ open_now: open, next_change: next } = {}, now = new Date()) {
  if (open !== true && open !== false) return null;
  const when = next ? formatChange(next, now) : '';
  if (open) return when ? t('hours.open_closes', { when }) : t('hours.open');
  return when ? t('hours.closed_opens', { when }) : t('hours.closed');
}

/** The state as an element (data-open="true|false"), or null when unknown. */
export function stateLine(tag, className, s) {
  const text = stateText(s);
  if (!text) return null;
  return h(tag, { className: `${className} state`, dataset: { open: String(s.open_now) } },
    s.next_change ? h('time', { dateTime: s.next_change, textContent: text }) : text);
}

/** Free text from the API (names, addresses, titles): marked Norwegian in another language. */
export const nb = (text, tag = 'span', props = {}) => h(tag, { ...props, lang: freeLang(), textContent: text });

/** A service's label in the page's language (the server's own labels: nb or en). */
export function serviceLabel(s) {
  if (currentLanguage() === 'en' && s.label_en) return { text: s.label_en, lang: null };
  return { text: s.label_nb ?? s.service, lang: freeLang() };
}

/** Opening hours as written (OpenStreetMap's syntax): code, not translated. */
export const hoursCode = (text) => h('code', { className: 'opening-hours', lang: freeLang(), translate: false, textContent: text });

const EMAIL = /^[^\s@<>()]+@[^\s@<>()]+\.[^\s@<>()]+$/;
const HTTPS = /^https:\/\/[^\s<>"]+$/i;
/** A phone number after an optional word: «Tlf. 21 00 00 00», «+47 21 00 00 00», «21000000». */
const PHONE = /^(?:(?:tlf|tel|telefon|phone)\.?:?\s*)?(\+?[\d][\d\s-]{6,}\d)$/i;

/** Where a contact text points: a tel:, mailto: or https: address, or null when it is just text. */
export function contactHref(text) {
  const s = (text ?? '').trim();
  if (EMAIL.test(s)) return `mailto:${s}`;
  if (HTTPS.test(s)) return s;
  const m = PHONE.exec(s);
  if (m) {
    const digits = m[1].replace(/[\s-]/g, '');
    if (digits.startsWith('+')) return `tel:${digits}`;
    if (digits.length === 8) return `tel:+47${digits}`;
    return `tel:${digits}`;
  }
  return null;
}

/** A contact as a link where it looks like one, else as text (free text: marked Norwegian). */
export function contactNode(text) {
  const href = contactHref(text);
  return href ? h('a', { href, lang: freeLang(), textContent: text }) : nb(text);
}
