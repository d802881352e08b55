/** A small element builder: the page has no framework, and its screens are plain functions of state. */

type Attrs = Record<string, string | number | boolean | ((e: Event) => void) | undefined>;
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return el;
}

/** A big touch button; `primary` for the one thing the screen asks for. */
export function button(label: string, onClick: () => void, o: { primary?: boolean; id?: string; aria?: string; disabled?: boolean; cls?: string } = {}): HTMLButtonElement {
  const cls = ['btn', o.primary === true ? 'primary' : '', o.cls ?? ''].filter((x) => x !== '').join(' ');
  return h('button', { type: 'button', class: cls, id: o.id, 'aria-label': o.aria, disabled: o.disabled, onclick: () => onClick() }, label);
}

/** An SVG QR code from the server, shown as an image (no markup from the network enters the page). */
export function qrImage(svg: string, alt: string, id?: string): HTMLImageElement {
  return h('img', { class: 'qr', src: 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(svg), alt, id });
}
