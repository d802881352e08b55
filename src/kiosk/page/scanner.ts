/**
 * A USB QR scanner types like a keyboard: `URZ1;<lockerId>;<phone>;<code>` and Enter, wherever the focus is.
 * Keys that could start that prefix are held back; once the whole prefix has come, the rest up to Enter is
 * the scan and never reaches a field. If the prefix breaks off (a person typing), the held keys are given to
 * the focused field after all, so nobody loses a letter.
 */
const prefix = 'URZ1;';
const maxScanLength = 256;
const heldKeysMs = 600;

export function listenForScans(onScan: (text: string) => void): void {
  let held = '';
  let scanning = false;
  let timer: number | undefined;

  const release = (): void => {
    const text = held;
    held = '';
    scanning = false;
    if (text !== '') typeIntoFocused(text);
  };

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    window.clearTimeout(timer);
    if (scanning) {
      e.preventDefault();
      e.stopPropagation();
      if (e.key === 'Enter' || e.key === 'Tab') {
        const text = held;
        held = '';
        scanning = false;
        onScan(text);
      } else if (e.key.length === 1) {
        held += e.key;
        if (held.length > maxScanLength) {
          held = '';
          scanning = false;
        }
      }
      if (scanning) timer = window.setTimeout(release, heldKeysMs * 4);
      return;
    }
    if (e.key.length === 1 && prefix.startsWith(held + e.key)) {
      e.preventDefault();
      e.stopPropagation();
      held += e.key;
      if (held === prefix) scanning = true;
      timer = window.setTimeout(release, heldKeysMs);
      return;
    }
    // Not a scan: what was held goes to the field first, then this key does what it always does.
    if (held !== '') release();
  }, true);
}

function typeIntoFocused(text: string): void {
  const el = document.activeElement;
  if (!(el instanceof HTMLInputElement)) return;
  const start = el.selectionStart ?? el.value.length;
  const end = el.selectionEnd ?? el.value.length;
  el.setRangeText(text, start, end, 'end');
  el.dispatchEvent(new Event('input', { bubbles: true }));
}
