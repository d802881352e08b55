import type { CompartmentView } from './api-client.js';
import { h } from './dom.js';

/** Where a compartment is on the cabinet's front: column from the left, place from the top, both from 1. */
export function positionOf(columns: CompartmentView[][], id: number): { column: number; row: number; rows: number } | undefined {
  for (let c = 0; c < columns.length; c++) {
    const r = columns[c]!.findIndex((x) => x.id === id);
    if (r >= 0) return { column: c + 1, row: r + 1, rows: columns[c]!.length };
  }
  return undefined;
}

/** The cabinet's front with one compartment marked, as a picture (screen readers get its description). */
export function lockerPicture(columns: CompartmentView[][], marked: number, label: string): HTMLElement {
  return h('div', { class: 'locker', role: 'img', 'aria-label': label },
    columns.map((col) => h('div', { class: 'locker-col' },
      col.map((c) => h('div', {
        class: `box size-${c.size}${c.id === marked ? ' marked' : ''}`,
        'data-compartment': c.id,
      }, String(c.id))))));
}

/** The same front as buttons, one per compartment, for choosing one (staff reporting a fault). */
export function lockerButtons(columns: CompartmentView[][], name: (id: number) => string, onPick: (id: number) => void): HTMLElement {
  return h('div', { class: 'locker picker', role: 'group' },
    columns.map((col) => h('div', { class: 'locker-col' },
      col.map((c) => h('button', {
        type: 'button', class: `box size-${c.size}`, 'data-compartment': c.id, 'aria-label': name(c.id), onclick: () => onPick(c.id),
      }, String(c.id))))));
}
