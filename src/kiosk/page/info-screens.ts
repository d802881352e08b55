import { button, h, qrImage } from './dom.js';
import type { Screen, Ui } from './ui.js';

const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The office's hours, the rule that identity cards and passports stay at the counter, and e-services. */
export function info(ui: Ui): Screen {
  const t = ui.t;
  const rows = days.map((d, i) => {
    const spans = ui.info.serviceHours[d];
    return h('tr', {}, h('th', { scope: 'row' }, t.days[i]!), h('td', {}, spans.length === 0 ? t.closed : spans.map((s) => s.replace('-', '–')).join(', ')));
  });
  return {
    upper: [
      h('h1', { id: 'title', tabindex: -1 }, t.infoTitle),
      h('p', { class: 'office' }, ui.info.officeName),
      h('table', { class: 'hours', id: 'hours' }, h('tbody', {}, rows)),
      h('p', { class: 'notice', id: 'counter-only' }, t.counterOnly),
    ],
    lower: [
      h('figure', { class: 'eservices' }, qrImage(ui.info.eServicesQr, t.eServicesAlt(ui.info.eServicesUrl), 'eservices-qr'), h('figcaption', {}, t.eServices, h('br'), ui.info.eServicesUrl)),
      button(t.back, () => ui.go({ name: 'welcome' }), { primary: true, id: 'back' }),
    ],
    footer: true,
  };
}

export function outOfService(ui: Ui): Screen {
  return {
    upper: [h('h1', { id: 'title', tabindex: -1, role: 'alert', class: 'warn' }, ui.t.outOfServiceTitle), h('p', { class: 'lead' }, ui.t.outOfServiceText)],
    lower: [button(ui.t.info, () => ui.go({ name: 'info' }), { id: 'hours' })],
    footer: true,
  };
}
