// A yes/no question in a modal dialog (kit/dialog.js): deleting an activity, closing a need.

import { $ } from '../kit/dom.js';
import { modal } from '../kit/dialog.js';

let dialog;

export function initConfirm() {
  dialog = modal($('confirm-dialog'), { closers: [$('confirm-no')] });
}

/** Asks `question`; resolves true when the person pressed `yes`. Focus returns to `opener`. */
export function confirmAction(question, yes, opener) {
  $('confirm-text').textContent = question;
  $('confirm-yes').textContent = yes;
  return new Promise((ok) => {
    let answer = false;
    const onYes = () => { answer = true; $('confirm-dialog').close(); };
    $('confirm-yes').addEventListener('click', onYes, { once: true });
    $('confirm-dialog').addEventListener('close', () => {
      $('confirm-yes').removeEventListener('click', onYes);
      ok(answer);
    }, { once: true });
    dialog.open(opener);
  });
}
