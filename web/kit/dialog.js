// Modal dialogs (<dialog> with showModal: the page behind is inert, Escape closes). Focus goes
// back to the control that opened the dialog when it closes (or to `fallback()` when that
// control is gone).

/**
 * Wires `dialog`: `closers` are buttons that close it; `onClose()` runs before focus returns.
 * Returns `open(opener)`.
 */
export function modal(dialog, { closers = [], onClose, fallback } = {}) {
  let opener = null;
  for (const b of closers) b.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    onClose?.();
    if (opener?.isConnected) opener.focus();
    else fallback?.()?.focus();
    opener = null;
  });
  return {
    open(from) {
      if (dialog.open) dialog.close();
      opener = from ?? null;
      dialog.showModal();
    },
  };
}
