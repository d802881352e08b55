import { button, h } from './dom.js';

/**
 * The demo's simulator panel (a separate page from the kiosk): each compartment's latch as the simulated
 * board reads it, buttons to shut a door or pry one open, a board's cable cut, and the demo's credentials.
 */
interface SimState {
  compartments: { id: number; board: number; lock: number; size: string; latched: boolean; state: string }[];
  boards: { address: number; protocol: string; offline: boolean; stuckLatch: boolean }[];
  demo?: { staff: { id: string; pin: string }; documents: { id: string; phone: string; code: string; qr: string }[] };
}

async function call(path: string, body?: unknown): Promise<SimState> {
  const res = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return (await res.json()) as SimState;
}

let shown = '';

function render(s: SimState): void {
  // Re-render only on change, so a button does not vanish under the pointer every half second.
  const key = JSON.stringify(s);
  if (key === shown) return;
  shown = key;
  const act = (path: string, body: unknown) => () => void call(path, body).then(render);
  document.getElementById('sim')!.replaceChildren(
    h('h1', {}, 'Simulated locker'),
    h('p', { class: 'lead' }, 'Doors shut by themselves a few seconds after they open; shut them sooner here. Type a QR string on the kiosk page (then Enter) to act as the scanner.'),
    h('table', { class: 'hours', id: 'doors' },
      h('thead', {}, h('tr', {}, ['Compartment', 'Board/lock', 'Size', 'Latch', 'State', 'Door'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, s.compartments.map((c) => h('tr', { 'data-compartment': c.id },
        h('td', {}, String(c.id)), h('td', {}, `${c.board}/${c.lock}`), h('td', {}, c.size),
        h('td', {}, c.latched ? 'latched' : 'released'), h('td', {}, c.state),
        h('td', {}, c.latched
          ? button('Force open', act('/sim/api/door', { compartment: c.id, action: 'force-open' }), { id: `force-${c.id}` })
          : button('Close door', act('/sim/api/door', { compartment: c.id, action: 'close' }), { primary: true, id: `close-${c.id}` })))))),
    h('h2', {}, 'Boards'),
    h('ul', {}, s.boards.map((b) => h('li', {}, `${b.protocol} at address ${b.address}: ${b.offline ? 'offline' : 'online'} `,
      button(b.offline ? 'Reconnect' : 'Cut cable', act('/sim/api/board', { address: b.address, offline: !b.offline }), { id: `board-${b.address}` })))),
    s.demo === undefined ? '' : h('section', { 'aria-labelledby': 'demo-title' },
      h('h2', { id: 'demo-title' }, 'Demo credentials'),
      h('p', {}, `Staff: id ${s.demo.staff.id}, PIN ${s.demo.staff.pin}. Load a document as staff first, then collect it as a resident.`),
      h('table', { class: 'hours' },
        h('thead', {}, h('tr', {}, ['Document', 'Phone', 'Code', 'QR string'].map((x) => h('th', { scope: 'col' }, x)))),
        h('tbody', {}, s.demo.documents.map((d) => h('tr', {}, h('td', {}, d.id), h('td', {}, d.phone), h('td', {}, d.code), h('td', {}, d.qr)))))),
  );
}

const refresh = (): void => void call('/sim/api/state').then(render).catch(() => undefined);
refresh();
window.setInterval(refresh, 500);
