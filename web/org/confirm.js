// A yes/no question in a modal dialog (kit/dialog.js): deleting an activity, closing a need,
// removing a member, signing out everywhere.

import { $ } from '../kit/dom.js';
import { modal } from '../kit/dialog.js';
import { busy, reportError } from './fields.js';

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

/**
 * `button` asks first (`ask()` → [question, yes]), then runs `work()` with the button disabled
 * until the answer has come (focus is back on it once the dialog closes).
 */
export function confirmedPress(button, ask, work) {
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    const [question, yes] = ask();
    if (!await confirmAction(question, yes, button)) return;
    await busy(button, work).catch(reportError);
  });
  return button;
}
