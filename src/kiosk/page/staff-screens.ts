import type { ListItem } from './api-client.js';
import { button, h } from './dom.js';
import { focusFirstEmpty, keypadForm } from './keypad.js';
import { lockerButtons, lockerPicture, positionOf } from './locker-picture.js';
import type { Screen, Ui, View } from './ui.js';

export interface StaffActions {
  login(staffId: string, pin: string): void;
  load(authorizationId: string): void;
  retrieve(authorizationId: string): void;
  fault(compartment: number): void;
  logout(): void;
  /** Reads the lists again (the office's feed may have brought new documents). */
  refresh(): void;
  compartmentState(id: number): string;
}

/** Staff screens: login, the two lists, an open compartment, choosing a faulty one. */

export function staffLogin(ui: Ui, v: Extract<View, { name: 'staffLogin' }>, act: StaffActions): Screen {
  const form = keypadForm({
    fields: [
      { id: 'staffId', label: ui.t.staffId, allowed: /[A-Za-z0-9-]/, maxLength: 32 },
      { id: 'pin', label: ui.t.pin, allowed: /\d/, maxLength: 12, secret: true },
    ],
    extraKeys: ['S', '-'],
    submitLabel: ui.t.login,
    cancelLabel: ui.t.cancel,
    backspaceLabel: ui.t.backspace,
    clearLabel: ui.t.clear,
    backspaceAria: ui.t.backspaceLabel,
    validate: (x) => (x.staffId === '' || x.pin!.length < 4 ? ui.t.staffIncomplete : undefined),
    onSubmit: (x) => act.login(x.staffId!, x.pin!),
    onCancel: () => ui.go({ name: 'welcome' }),
    onKey: () => ui.cue('key'),
  });
  queueMicrotask(() => focusFirstEmpty(form));
  return {
    upper: [
      h('h1', { id: 'title', tabindex: -1 }, ui.t.staffLoginTitle),
      h('p', { class: 'lead' }, ui.t.staffLoginText),
      v.message === undefined ? '' : h('p', { class: 'message warn', role: 'alert', id: 'message' }, v.message),
    ],
    lower: [form],
  };
}

function item(ui: Ui, a: ListItem, action: 'load' | 'retrieve', act: StaffActions): HTMLElement {
  const tags = [
    ui.t.size(a.size),
    a.compartment === null ? '' : ui.t.inCompartment(a.compartment),
    a.accessible ? ui.t.lowTag : '',
    a.revoked ? ui.t.revokedTag : a.attention !== null ? ui.t.attentionTag(a.attention) : action === 'retrieve' ? ui.t.expiredTag : '',
  ].filter((x) => x !== '');
  const label = action === 'load' ? ui.t.load : ui.t.retrieve;
  return h('li', { class: 'item', 'data-authorization': a.authorizationId },
    h('div', { class: 'item-text' }, h('strong', {}, a.documentName[ui.lang]), h('span', {}, `${a.caseRef} · ${tags.join(' · ')}`)),
    button(label, () => (action === 'load' ? act.load(a.authorizationId) : act.retrieve(a.authorizationId)), {
      primary: action === 'load', id: `${action}-${a.authorizationId}`, aria: `${label}: ${a.documentName[ui.lang]}, ${a.caseRef}`,
    }));
}

export function staffHome(ui: Ui, v: Extract<View, { name: 'staffHome' }>, who: string, act: StaffActions): Screen {
  const lists = v.lists ?? { toLoad: [], toRetrieve: [] };
  const section = (title: string, items: ListItem[], action: 'load' | 'retrieve', id: string): HTMLElement =>
    h('section', { class: 'list', 'aria-labelledby': `${id}-title`, id },
      h('h2', { id: `${id}-title` }, title),
      items.length === 0 ? h('p', {}, ui.t.nothing) : h('ul', {}, items.map((a) => item(ui, a, action, act))));
  return {
    upper: [
      h('h1', { id: 'title', tabindex: -1 }, ui.t.staffHomeTitle(who)),
      v.message === undefined ? '' : h('p', { class: 'message', role: 'status', id: 'message' }, v.message),
    ],
    lower: [
      h('div', { class: 'lists' },
        section(ui.t.toLoad(lists.toLoad.length), lists.toLoad, 'load', 'to-load'),
        section(ui.t.toRetrieve(lists.toRetrieve.length), lists.toRetrieve, 'retrieve', 'to-retrieve')),
      h('div', { class: 'actions' },
        button(ui.t.refresh, () => act.refresh(), { id: 'refresh' }),
        button(ui.t.reportFault, () => ui.go({ name: 'staffFault' }), { id: 'report-fault' }),
        button(ui.t.logout, () => act.logout(), { id: 'logout' })),
    ],
  };
}

export function staffOpen(ui: Ui, v: Extract<View, { name: 'staffOpen' }>): Screen {
  const p = positionOf(ui.info.columns, v.compartment);
  return {
    upper: [
      h('h1', { id: 'title', tabindex: -1, role: 'status' }, ui.t.staffOpenTitle(v.compartment)),
      h('p', { class: 'lead' }, v.purpose === 'load' ? ui.t.staffLoadText : ui.t.staffRetrieveText),
      h('p', { class: 'big-number', 'aria-hidden': 'true' }, String(v.compartment)),
    ],
    lower: [
      lockerPicture(ui.info.columns, v.compartment, ui.t.lockerPicture(v.compartment)),
      p === undefined ? '' : h('p', { class: 'position', id: 'position' }, ui.t.position(p.column, p.row, p.rows)),
    ],
  };
}

export function staffFault(ui: Ui, act: StaffActions): Screen {
  return {
    upper: [h('h1', { id: 'title', tabindex: -1 }, ui.t.faultTitle), h('p', { class: 'lead' }, ui.t.faultText)],
    lower: [
      lockerButtons(ui.info.columns, (id) => ui.t.compartmentButton(id, ui.t.states[act.compartmentState(id)] ?? ''), (id) => act.fault(id)),
      h('div', { class: 'actions' }, button(ui.t.back, () => ui.go({ name: 'staffHome' }), { id: 'back' })),
    ],
  };
}
