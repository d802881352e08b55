import type { FastifyReply, FastifyRequest } from 'fastify';
import { alarmKindWords } from '../../alerts/kinds.js';
import { lockerDetail, lockersOverview, resolveAlarm, type AlarmView, type LockerDetail, type LockerOverview } from '../../locker-health.js';
import { html, type Html } from '../html.js';
import { say, when, type Lang, type Words } from '../i18n.js';
import { csrfField, sendPage } from '../layout.js';
import type { PanelArea } from '../plugin.js';

/**
 * The office's view of its lockers (issue 16): `/lockers`, a table of every locker (its last pull, the feed
 * position it confirmed against the office's head, the last event received, boards online and compartments by
 * state from its newest `locker.status`, the age of its audit head, open alarms), and `/lockers/:id`, one
 * locker with its open alarms, each with a "dealt with" form that records the clerk and the time, and below
 * them the alarms already dealt with and by whom.
 */
export const lockerPages: PanelArea = (app, ctx) => {
  app.get('/lockers', async (req, reply) => {
    const lockers = await lockersOverview(ctx.db);
    return sendPage(req, reply, { title: { pl: 'Urzędomaty', en: 'Lockers' }, body: tablePage(req.lang, lockers, ctx.now()) });
  });

  app.get<{ Params: { id: string }; Querystring: { done?: string; already?: string } }>('/lockers/:id', async (req, reply) => {
    const d = await lockerDetail(ctx.db, req.params.id);
    if (d === undefined) return notFound(req, reply);
    const lang = req.lang;
    let notice: { text: string; error?: boolean } | undefined;
    if (req.query.done !== undefined) notice = { text: say(lang, { pl: 'Alarm oznaczony jako załatwiony.', en: 'Alarm marked as dealt with.' }) };
    const already = d.resolved.find((a) => String(a.id) === req.query.already);
    if (already !== undefined) {
      const who = clerkName(already);
      notice = {
        text: say(lang, {
          pl: `Ten alarm był już załatwiony: ${who}, ${when('pl', already.resolvedAt)}.`,
          en: `This alarm had already been dealt with: ${who}, ${when('en', already.resolvedAt)}.`,
        }),
      };
    }
    return sendPage(req, reply, { title: { pl: `Urzędomat ${d.name}`, en: `Locker ${d.name}` }, body: detailPage(req, d, ctx.now(), ctx.config.alerts !== undefined), notice });
  });

  app.post<{ Params: { id: string; alarmId: string } }>('/lockers/:id/alarms/:alarmId/resolve', async (req, reply) => {
    const alarmId = /^\d{1,15}$/.test(req.params.alarmId) ? Number(req.params.alarmId) : undefined;
    if (alarmId === undefined) return notFound(req, reply);
    const login = req.clerk!.login;
    const r = await resolveAlarm(ctx.db, req.params.id, alarmId, login, ctx.now());
    if (r.result === 'not-found') return notFound(req, reply);
    const back = `/lockers/${encodeURIComponent(req.params.id)}`;
    if (r.result === 'already') return reply.redirect(`${back}?already=${alarmId}`, 303);
    req.log.info({ lockerId: req.params.id, alarmId, login }, 'alarm dealt with');
    return reply.redirect(`${back}?done=${alarmId}`, 303);
  });

  function notFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    return sendPage(req, reply, {
      title: { pl: 'Nie ma takiego urzędomatu', en: 'No such locker' },
      body: html`<p><a href="/lockers">${say(req.lang, { pl: 'Wszystkie urzędomaty', en: 'All lockers' })}</a></p>`,
      status: 404,
    });
  }
};

/** "5 min temu" / "5 min ago"; a time ahead of the office's clock reads as now. */
export function ago(lang: Lang, then: Date | null, now: Date): string {
  if (then === null) return say(lang, { pl: 'nigdy', en: 'never' });
  const s = Math.max(0, Math.round((now.getTime() - then.getTime()) / 1000));
  if (s < 60) return say(lang, { pl: 'przed chwilą', en: 'just now' });
  const min = Math.floor(s / 60);
  if (min < 60) return say(lang, { pl: `${min} min temu`, en: `${min} min ago` });
  const h = Math.floor(min / 60);
  if (h < 48) return say(lang, { pl: `${h} godz. temu`, en: `${h} h ago` });
  const days = Math.floor(h / 24);
  return say(lang, { pl: `${days} dni temu`, en: `${days} days ago` });
}

const timeAgo = (lang: Lang, then: Date | null, now: Date): Html =>
  then === null ? html`<span class="muted">${ago(lang, null, now)}</span>` : html`<time datetime="${then.toISOString()}" title="${when(lang, then)}">${ago(lang, then, now)}</time>`;

const words = {
  locker: { pl: 'Urzędomat', en: 'Locker' },
  pull: { pl: 'Ostatnie pobranie danych', en: 'Last feed pull' },
  feed: { pl: 'Dane potwierdzone / w urzędzie', en: 'Feed confirmed / office head' },
  events: { pl: 'Ostatnie zdarzenie z urzędomatu', en: 'Last event from the locker' },
  boards: { pl: 'Sterowniki zamków', en: 'Lock boards' },
  compartments: { pl: 'Skrytki', en: 'Compartments' },
  audit: { pl: 'Znacznik dziennika audytu', en: 'Audit log head' },
  alarms: { pl: 'Otwarte alarmy', en: 'Open alarms' },
  noStatus: { pl: 'brak raportu stanu', en: 'no status report yet' },
} satisfies Record<string, Words>;

function feedCell(lang: Lang, l: LockerOverview): Html {
  const behind = l.feedHead - l.cursor;
  return html`${l.cursor} / ${l.feedHead}${behind > 0 ? html` <span class="muted">(${say(lang, { pl: `${behind} do pobrania`, en: `${behind} to fetch` })})</span>` : ''}`;
}

function eventsCell(lang: Lang, l: LockerOverview, now: Date): Html {
  // What the locker said at its last pull it still holds: events stuck there while its pushes fail.
  const waiting =
    l.eventsWaiting === null
      ? ''
      : html`<br><span${l.eventsWaiting > 0 ? '' : html` class="muted"`}>${say(lang, { pl: `czeka w urzędomacie: ${l.eventsWaiting}`, en: `waiting at the locker: ${l.eventsWaiting}` })}</span>`;
  if (l.eventsThrough === 0) return html`<span class="muted">${say(lang, { pl: 'brak', en: 'none' })}</span>${waiting}`;
  return html`${say(lang, { pl: `nr ${l.eventsThrough}`, en: `no. ${l.eventsThrough}` })}, ${timeAgo(lang, l.lastEventAt, now)}${waiting}`;
}

function boardsCell(lang: Lang, l: LockerOverview): Html {
  if (l.status === null) return html`<span class="muted">${say(lang, words.noStatus)}</span>`;
  const b = l.status.boards;
  const offline = b.filter((x) => !x.online).map((x) => x.address);
  const text = say(lang, { pl: `${b.length - offline.length} z ${b.length} odpowiada`, en: `${b.length - offline.length} of ${b.length} online` });
  return offline.length === 0
    ? html`${text}`
    : html`<strong>${text}</strong> <span>(${say(lang, { pl: 'bez łączności', en: 'offline' })}: ${offline.join(', ')})</span>`;
}

function compartmentsCell(lang: Lang, l: LockerOverview, now: Date): Html {
  if (l.status === null) return html`<span class="muted">${say(lang, words.noStatus)}</span>`;
  const c = l.status.compartments;
  const parts = [
    say(lang, { pl: `wolne ${c.free}`, en: `free ${c.free}` }),
    say(lang, { pl: `zajęte ${c.occupied}`, en: `occupied ${c.occupied}` }),
    say(lang, { pl: `usterka ${c.fault}`, en: `faulted ${c.fault}` }),
    ...(c.open > 0 ? [say(lang, { pl: `otwarte ${c.open}`, en: `open ${c.open}` })] : []),
    ...(c.reserved > 0 ? [say(lang, { pl: `w załadunku ${c.reserved}`, en: `being loaded ${c.reserved}` })] : []),
    ...(c.disabled > 0 ? [say(lang, { pl: `wyłączone ${c.disabled}`, en: `disabled ${c.disabled}` })] : []),
  ];
  return html`${parts.join(' · ')} <span class="muted">(${say(lang, { pl: 'stan', en: 'as of' })} ${timeAgo(lang, l.status.at, now)})</span>`;
}

function auditCell(lang: Lang, l: LockerOverview, now: Date): Html {
  if (l.auditHead === null) return html`<span class="muted">${say(lang, { pl: 'jeszcze nie dotarł', en: 'not received yet' })}</span>`;
  return html`${timeAgo(lang, l.auditHead.at, now)}${l.auditHead.auditSeq === null ? '' : html` <span class="muted">(${say(lang, { pl: 'wpis', en: 'entry' })} ${l.auditHead.auditSeq})</span>`}`;
}

const alarmsCell = (l: LockerOverview): Html => (l.openAlarms > 0 ? html`<strong>${l.openAlarms}</strong>` : html`0`);

function tablePage(lang: Lang, lockers: readonly LockerOverview[], now: Date): Html {
  if (lockers.length === 0) {
    return html`<p>${say(lang, { pl: 'Urząd nie ma jeszcze urzędomatów (npx urzedomat office locker add …).', en: 'The office has no lockers yet (npx urzedomat office locker add …).' })}</p>`;
  }
  return html`<table>
<caption class="muted">${say(lang, {
    pl: 'Pobranie i pozycja danych: gdy urzędomat ostatnio pytał urząd. Zdarzenia: numer, do którego urząd ma wszystkie zdarzenia urzędomatu; ile czeka w urzędomacie, urząd nie wie. Sterowniki i skrytki: z ostatniego raportu stanu urzędomatu.',
    en: 'Pull and feed position: when the locker last asked the office. Events: the number up to which the office has all of the locker’s events; how many wait in the locker, the office cannot know. Boards and compartments: from the locker’s newest status report.',
  })}</caption>
<thead><tr>${[words.locker, words.pull, words.feed, words.events, words.boards, words.compartments, words.audit, words.alarms].map((w) => html`<th scope="col">${say(lang, w)}</th>`)}</tr></thead>
<tbody>
${lockers.map(
  (l) => html`<tr data-locker="${l.id}">
<th scope="row"><a href="/lockers/${encodeURIComponent(l.id)}">${l.name}</a><br><span class="muted">${l.id}</span></th>
<td>${timeAgo(lang, l.lastPullAt, now)}</td>
<td>${feedCell(lang, l)}</td>
<td>${eventsCell(lang, l, now)}</td>
<td>${boardsCell(lang, l)}</td>
<td>${compartmentsCell(lang, l, now)}</td>
<td>${auditCell(lang, l, now)}</td>
<td>${alarmsCell(l)}</td>
</tr>
`,
)}</tbody>
</table>`;
}

/** The alarm's kind in the page's language, as a table cell starts: with a capital. */
const kindText = (lang: Lang, kind: string): string => {
  const w = say(lang, alarmKindWords(kind));
  return w.charAt(0).toLocaleUpperCase(lang) + w.slice(1);
};

const clerkName = (a: AlarmView): string => (a.resolvedByName === null ? a.resolvedBy ?? '' : `${a.resolvedByName} (${a.resolvedBy ?? ''})`);

const compartmentText = (lang: Lang, a: AlarmView): string => (a.compartment === null ? '—' : say(lang, { pl: `nr ${a.compartment}`, en: `no. ${a.compartment}` }));

/** `mailing`: whether alarms are e-mailed at all (`alerts` configured); without it there is no e-mail column. */
function detailPage(req: FastifyRequest, d: LockerDetail, now: Date, mailing: boolean): Html {
  const lang = req.lang;
  const base = `/lockers/${encodeURIComponent(d.id)}`;
  const mailCell = (a: AlarmView): string =>
    a.mailed ? when(lang, a.mailedAt) : a.mailedAt === null ? say(lang, { pl: 'jeszcze nie', en: 'not yet' }) : say(lang, { pl: 'niepotrzebny', en: 'not needed' });
  return html`<p><a href="/lockers">${say(lang, { pl: '← Wszystkie urzędomaty', en: '← All lockers' })}</a> · <span class="muted">${d.id}</span></p>
<dl class="facts">
<dt>${say(lang, words.pull)}</dt><dd>${timeAgo(lang, d.lastPullAt, now)}${d.lastPullAt === null ? '' : html` (${when(lang, d.lastPullAt)})`}</dd>
<dt>${say(lang, words.feed)}</dt><dd>${feedCell(lang, d)}</dd>
<dt>${say(lang, words.events)}</dt><dd>${eventsCell(lang, d, now)}</dd>
<dt>${say(lang, words.boards)}</dt><dd>${boardsCell(lang, d)}${
    d.status === null
      ? ''
      : html`<ul>${d.status.boards.map(
          (b) => html`<li>${say(lang, { pl: `sterownik ${b.address}`, en: `board ${b.address}` })}: ${b.online ? say(lang, { pl: 'odpowiada', en: 'online' }) : html`<strong>${say(lang, { pl: 'bez łączności', en: 'offline' })}</strong>`}</li>`,
        )}</ul>`
  }</dd>
<dt>${say(lang, words.compartments)}</dt><dd>${compartmentsCell(lang, d, now)}</dd>
<dt>${say(lang, words.audit)}</dt><dd>${auditCell(lang, d, now)}</dd>
</dl>
<h2 id="open-alarms">${say(lang, words.alarms)} (${d.open.length})</h2>
${
  d.open.length === 0
    ? html`<p>${say(lang, { pl: 'Brak otwartych alarmów.', en: 'No open alarms.' })}</p>`
    : html`<table aria-labelledby="open-alarms">
<thead><tr><th scope="col">${say(lang, { pl: 'Rodzaj', en: 'Kind' })}</th><th scope="col">${say(lang, { pl: 'Skrytka', en: 'Compartment' })}</th><th scope="col">${say(lang, { pl: 'Kiedy', en: 'When' })}</th>${mailing ? html`<th scope="col">${say(lang, { pl: 'E-mail', en: 'E-mail' })}</th>` : ''}<th scope="col">${say(lang, { pl: 'Działanie', en: 'Action' })}</th></tr></thead>
<tbody>
${d.open.map((a) => {
  const kind = kindText(lang, a.kind);
  const where = a.compartment === null ? '' : `, ${say(lang, { pl: 'skrytka', en: 'compartment' })} ${a.compartment}`;
  const label = `${say(lang, { pl: 'Załatwione', en: 'Dealt with' })}: ${kind}${where}, ${when(lang, a.at)}`;
  return html`<tr data-alarm="${a.id}">
<td>${kind}</td><td>${compartmentText(lang, a)}</td><td>${when(lang, a.at)} <span class="muted">(${ago(lang, a.at, now)})</span></td>${mailing ? html`<td>${mailCell(a)}</td>` : ''}
<td><form method="post" action="${base}/alarms/${a.id}/resolve" class="inline">${csrfField(req)}<button type="submit" aria-label="${label}">${say(lang, { pl: 'Załatwione', en: 'Dealt with' })}</button></form></td>
</tr>
`;
})}</tbody>
</table>`
}
<h2 id="resolved-alarms">${say(lang, { pl: 'Załatwione alarmy', en: 'Alarms dealt with' })}</h2>
${
  d.resolved.length === 0
    ? html`<p>${say(lang, { pl: 'Jeszcze żadnego.', en: 'None yet.' })}</p>`
    : html`<table aria-labelledby="resolved-alarms">
<thead><tr><th scope="col">${say(lang, { pl: 'Rodzaj', en: 'Kind' })}</th><th scope="col">${say(lang, { pl: 'Skrytka', en: 'Compartment' })}</th><th scope="col">${say(lang, { pl: 'Kiedy', en: 'When' })}</th><th scope="col">${say(lang, { pl: 'Załatwił(a)', en: 'Dealt with by' })}</th><th scope="col">${say(lang, { pl: 'Kiedy załatwiono', en: 'Dealt with at' })}</th></tr></thead>
<tbody>
${d.resolved.map(
  (a) => html`<tr data-alarm="${a.id}"><td>${kindText(lang, a.kind)}</td><td>${compartmentText(lang, a)}</td><td>${when(lang, a.at)}</td><td>${clerkName(a)}</td><td>${when(lang, a.resolvedAt)}</td></tr>
`,
)}</tbody>
</table>`
}`;
}
