import { button, h, qrImage } from './dom.js';
import { focusFirstEmpty, keypadForm } from './keypad.js';
import { lockerPicture, positionOf } from './locker-picture.js';
import type { Problem, Screen, Ui, View } from './ui.js';

/** The resident's screens, one function each. */

export function welcome(ui: Ui): Screen {
  return {
    upper: [
      h('h1', { id: 'title', tabindex: -1 }, ui.t.welcomeTitle),
      h('p', { class: 'lead' }, ui.t.welcomeText),
      h('ol', { class: 'steps' }, ui.t.steps.map((s) => h('li', {}, s))),
      h('p', { class: 'notice' }, ui.t.counterOnly),
    ],
    lower: [button(ui.t.start, () => ui.go({ name: 'enter' }), { primary: true, id: 'start', cls: 'huge' })],
    footer: true,
  };
}

export function enter(ui: Ui, submit: (phone: string, code: string) => void): Screen {
  const form = keypadForm({
    fields: [
      { id: 'phone', label: ui.t.phone, allowed: /\d/, maxLength: 9, fullLength: 9 },
      { id: 'code', label: ui.t.code, allowed: /\d/, maxLength: 12 },
    ],
    submitLabel: ui.t.submit,
    cancelLabel: ui.t.cancel,
    backspaceLabel: ui.t.backspace,
    clearLabel: ui.t.clear,
    backspaceAria: ui.t.backspaceLabel,
    validate: (v) => (v.phone!.length !== 9 ? ui.t.phoneIncomplete : v.code!.length < 6 ? ui.t.codeIncomplete : undefined),
    onSubmit: (v) => submit(v.phone!, v.code!),
    onCancel: () => ui.go({ name: 'welcome' }),
    onKey: () => ui.cue('key'),
  });
  queueMicrotask(() => focusFirstEmpty(form));
  return {
    upper: [h('h1', { id: 'title', tabindex: -1 }, ui.t.enterTitle), h('p', { class: 'lead' }, ui.t.enterText)],
    lower: [form],
    footer: true,
  };
}

export function checking(ui: Ui): Screen {
  return {
    upper: [h('h1', { id: 'title', tabindex: -1, role: 'status' }, ui.t.checking), h('div', { class: 'spinner', 'aria-hidden': 'true' }), h('p', { class: 'lead' }, ui.t.pleaseWait)],
    lower: [],
  };
}

function where(ui: Ui, n: number): (Node | string)[] {
  const p = positionOf(ui.info.columns, n);
  return [
    lockerPicture(ui.info.columns, n, ui.t.lockerPicture(n)),
    p === undefined ? '' : h('p', { class: 'position', id: 'position' }, ui.t.position(p.column, p.row, p.rows)),
  ];
}

export function opening(ui: Ui, n: number): Screen {
  return {
    upper: [h('h1', { id: 'title', tabindex: -1, role: 'status' }, ui.t.opening(n)), h('div', { class: 'spinner', 'aria-hidden': 'true' })],
    lower: where(ui, n),
  };
}

export function open(ui: Ui, n: number, reminder: boolean): Screen {
  return {
    upper: [
      h('h1', { id: 'title', tabindex: -1, role: 'status', class: reminder ? 'warn' : '' }, reminder ? ui.t.reminderTitle(n) : ui.t.openTitle(n)),
      h('p', { class: 'lead' }, reminder ? ui.t.reminderText : ui.t.openText),
      h('p', { class: 'big-number', 'aria-hidden': 'true' }, String(n)),
    ],
    lower: where(ui, n),
  };
}

export function done(ui: Ui, receipt: { id: string; svg: string } | undefined): Screen {
  return {
    upper: [h('h1', { id: 'title', tabindex: -1, role: 'status' }, ui.t.doneTitle), h('p', { class: 'lead' }, ui.t.doneText)],
    lower: [
      receipt === undefined ? '' : h('figure', { class: 'receipt' }, qrImage(receipt.svg, ui.t.receiptAlt(receipt.id), 'receipt'), h('figcaption', {}, ui.t.receiptNumber(receipt.id))),
      button(ui.t.finish, () => ui.go({ name: 'welcome' }), { primary: true, id: 'finish' }),
    ],
  };
}

/** Title, what happened and what to do next, for each way a pickup can end without a door opening. */
export function problem(ui: Ui, v: Extract<View, { name: 'problem' }>, nowMs: number): Screen {
  const t = ui.t;
  const office = ui.info.officeName;
  const left = Math.max(0, Math.ceil(((v.untilMs ?? nowMs) - nowMs) / 1000));
  const texts: Record<Problem, [string, string]> = {
    wrong: [t.wrongTitle, t.wrongText],
    locked: [t.lockedTitle, t.lockedText(t.minutes(Math.floor(left / 60), left % 60))],
    notLoaded: [t.notLoadedTitle, t.notLoadedText],
    expired: [t.expiredTitle, t.expiredText(office)],
    collected: [t.collectedTitle, t.collectedText],
    retrieved: [t.retrievedTitle, t.retrievedText(office)],
    atCounter: [t.atCounterTitle, t.atCounterText(office)],
    fee: [t.feeTitle, t.feeText(office)],
    alreadyOpen: [t.alreadyOpenTitle, t.alreadyOpenText],
    failed: [t.failedTitle, t.failedText],
  };
  const [title, text] = texts[v.problem];
  const retry = v.problem === 'wrong' || v.problem === 'failed';
  return {
    upper: [h('h1', { id: 'title', tabindex: -1, role: 'alert', class: 'warn' }, title), h('p', { class: 'lead', id: 'problem-text', 'data-problem': v.problem }, text)],
    lower: [
      retry ? button(t.tryAgain, () => ui.go({ name: 'enter' }), { primary: true, id: 'retry' }) : '',
      v.problem === 'expired' || v.problem === 'retrieved' || v.problem === 'atCounter' ? button(t.info, () => ui.go({ name: 'info' }), { id: 'hours' }) : '',
      button(t.finish, () => ui.go({ name: 'welcome' }), { primary: !retry, id: 'finish' }),
    ],
    footer: true,
  };
}

/** The answer to a pickup, as the problem it shows (undefined: the compartment opened). */
export function problemOf(status: number, body: Record<string, unknown>): Problem | undefined {
  if (status === 200) return undefined;
  if (status === 429) return 'locked';
  if (status !== 403) return 'failed';
  switch (body.reason) {
    case undefined: return 'wrong';
    case 'not-loaded-yet': return 'notLoaded';
    case 'expired': return 'expired';
    case 'already-collected': return 'collected';
    case 'retrieved':
    case 'revoked': return 'retrieved';
    case 'fee-not-settled': return 'fee';
    case 'already-open': return 'alreadyOpen';
    default: return 'atCounter';
  }
}
