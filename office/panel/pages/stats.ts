import type { FastifyRequest } from 'fastify';
import type { OfficeContext } from '../../context.js';
import { defaultCounterHours, type CounterHours } from '../../counter-hours.js';
import { addDays, dayCount, defaultRange, isDay, lockerChoices, maxRangeDays, officeStats, statsCsv, type Stats, type StatsQuery } from '../../stats.js';
import { barChart, chartColors } from '../charts.js';
import { html, type Html } from '../html.js';
import { say, type Lang, type Words } from '../i18n.js';
import { sendPage } from '../layout.js';
import type { PanelArea } from '../plugin.js';

/**
 * Statistics (issue 16), for every clerk: documents a day, how long they waited in the locker, and the share
 * collected while the counter was closed, the reason the city built the locker. Charts are SVG drawn here, each
 * with a table of its numbers; `/stats.csv` gives the same range one row a day.
 */

interface StatsQs {
  from?: string;
  to?: string;
  locker?: string;
}

const words = {
  title: { pl: 'Statystyki', en: 'Statistics' },
  from: { pl: 'Od dnia', en: 'From' },
  to: { pl: 'Do dnia (włącznie)', en: 'To (inclusive)' },
  locker: { pl: 'Urzędomat', en: 'Locker' },
  allLockers: { pl: 'Wszystkie', en: 'All' },
  show: { pl: 'Pokaż', en: 'Show' },
  csv: { pl: 'Pobierz dane dzienne (CSV)', en: 'Download the daily figures (CSV)' },
  badDay: { pl: 'Daty podaj jako RRRR-MM-DD.', en: 'Give the dates as YYYY-MM-DD.' },
  backwards: { pl: 'Początek zakresu jest po jego końcu.', en: 'The range starts after it ends.' },
  tooLong: { pl: `Zakres może mieć najwyżej ${maxRangeDays} dni.`, en: `A range may have at most ${maxRangeDays} days.` },
  unknownLocker: { pl: 'Nie ma takiego urzędomatu.', en: 'There is no such locker.' },
  shownDefault: { pl: 'Pokazano ostatnie 30 dni.', en: 'The last 30 days are shown.' },
  shownAll: { pl: 'Pokazano wszystkie urzędomaty.', en: 'All lockers are shown.' },
  summary: { pl: 'Podsumowanie', en: 'Summary' },
  registered: { pl: 'Zarejestrowane', en: 'Registered' },
  loaded: { pl: 'Włożone do skrytek', en: 'Loaded' },
  collected: { pl: 'Odebrane', en: 'Collected' },
  expired: { pl: 'Nieodebrane w terminie', en: 'Expired' },
  outside: { pl: 'Odebrane poza godzinami pracy urzędu', en: 'Collected outside office hours' },
  within: { pl: 'W godzinach pracy urzędu', en: 'Within office hours' },
  outsideShort: { pl: 'Poza godzinami pracy urzędu', en: 'Outside office hours' },
  median: { pl: 'Mediana czasu oczekiwania', en: 'Median wait' },
  p90: { pl: '90. percentyl czasu oczekiwania', en: '90th percentile of the wait' },
  perDay: { pl: 'Dokumenty dziennie', en: 'Documents a day' },
  date: { pl: 'Dzień', en: 'Day' },
  outsideHeading: { pl: 'Odbiory poza godzinami pracy urzędu', en: 'Collections outside office hours' },
  weekday: { pl: 'Dzień tygodnia', en: 'Day of the week' },
  waitHeading: { pl: 'Jak długo dokumenty czekały w urzędomacie', en: 'How long documents waited in the locker' },
  waitDays: { pl: 'Czas od włożenia do odbioru (dni)', en: 'Time from loading to collection (days)' },
  documents: { pl: 'Liczba dokumentów', en: 'Documents' },
  none: { pl: 'brak danych', en: 'no data' },
} satisfies Record<string, Words>;

const weekdayNames: Record<Lang, readonly string[]> = {
  pl: ['poniedziałek', 'wtorek', 'środa', 'czwartek', 'piątek', 'sobota', 'niedziela'],
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'],
};
const weekdayShort: Record<Lang, readonly string[]> = {
  pl: ['pon.', 'wt.', 'śr.', 'czw.', 'pt.', 'sob.', 'niedz.'],
  en: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'],
};

const locale = (lang: Lang): string => (lang === 'pl' ? 'pl-PL' : 'en-GB');
const num = (lang: Lang, n: number, digits = 0): string => new Intl.NumberFormat(locale(lang), { maximumFractionDigits: digits }).format(n);
const percent = (lang: Lang, share: number): string => new Intl.NumberFormat(locale(lang), { style: 'percent', maximumFractionDigits: 1 }).format(share);
const hours = (lang: Lang, h: number | undefined): string =>
  h === undefined ? say(lang, words.none) : `${num(lang, h, h < 10 ? 1 : 0)} ${lang === 'pl' ? 'godz.' : 'h'}`;
/** A day as a chart's axis label: "5 lis" / "5 Nov". */
const shortDay = (lang: Lang, day: string): string =>
  new Intl.DateTimeFormat(locale(lang), { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(new Date(`${day}T00:00:00Z`));
/** A day in a table: "pt., 5.11.2026" / "Fri, 05/11/2026". */
const longDay = (lang: Lang, day: string): string =>
  new Intl.DateTimeFormat(locale(lang), { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'numeric', year: 'numeric' }).format(new Date(`${day}T00:00:00Z`));

/** The counter's hours in a sentence: "pon. 08:00–18:00; wt. 08:00–16:00; ...". */
function hoursText(lang: Lang, h: CounterHours): string {
  const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
  const open = days.map((d, i) => ({ i, spans: h[d] })).filter((d) => d.spans.length > 0);
  if (open.length === 0) return say(lang, { pl: 'urząd zamknięty cały tydzień', en: 'the counter is closed all week' });
  return open.map((d) => `${weekdayShort[lang][d.i]} ${d.spans.map((s) => s.replace('-', '–')).join(', ')}`).join('; ');
}

type Problem = 'badDay' | 'backwards' | 'tooLong' | 'unknownLocker';

/** The range and locker asked for, or the default range (all lockers) with what was wrong. */
function readQuery(qs: StatsQs, now: Date, known: ReadonlySet<string>): { query: StatsQuery; problem?: Problem } {
  const fallback = defaultRange(now);
  const given = (v: string | undefined): v is string => typeof v === 'string' && v !== '';
  const lockerId = given(qs.locker) && known.has(qs.locker) ? qs.locker : undefined;
  const lockerProblem = given(qs.locker) && lockerId === undefined ? { problem: 'unknownLocker' as const } : {};
  if (!given(qs.from) && !given(qs.to)) return { query: { ...fallback, lockerId }, ...lockerProblem };
  const to = given(qs.to) ? qs.to : fallback.to;
  const from = given(qs.from) ? qs.from : isDay(to) ? addDays(to, -29) : fallback.from;
  const refuse = (problem: Problem) => ({ query: { ...fallback, lockerId }, problem });
  if (!isDay(from) || !isDay(to)) return refuse('badDay');
  if (from > to) return refuse('backwards');
  if (dayCount(from, to) > maxRangeDays) return refuse('tooLong');
  return { query: { from, to, lockerId }, ...lockerProblem };
}

/** What the page says about a refused query: the problem, and what it shows instead. */
function problemText(lang: Lang, p: Problem): string {
  return `${say(lang, words[p])} ${say(lang, p === 'unknownLocker' ? words.shownAll : words.shownDefault)}`;
}

function queryString(q: StatsQuery): string {
  return new URLSearchParams({ from: q.from, to: q.to, ...(q.lockerId === undefined ? {} : { locker: q.lockerId }) }).toString();
}

async function load(ctx: OfficeContext, req: FastifyRequest<{ Querystring: StatsQs }>) {
  const lockers = await lockerChoices(ctx.db);
  const asked = readQuery(req.query, ctx.now(), new Set(lockers.map((l) => l.id)));
  const counterHours = ctx.config.stats?.counterHours ?? defaultCounterHours;
  const stats = await officeStats(ctx.db, asked.query, { hours: counterHours, histogramDays: Math.min(ctx.config.pickup.holdDays, 14) });
  return { lockers, asked, counterHours, stats };
}

function perDaySection(lang: Lang, s: Stats): Html {
  const t = (w: Words) => say(lang, w);
  const chart = barChart({
    id: 'chart-days',
    title: t(words.perDay),
    desc: say(lang, {
      pl: `Wykres słupkowy: dokumenty zarejestrowane i odebrane każdego dnia od ${s.query.from} do ${s.query.to}. Razem zarejestrowano ${s.totals.registered}, odebrano ${s.totals.collected}. Liczby są w tabeli pod wykresem.`,
      en: `Bar chart: documents registered and collected each day from ${s.query.from} to ${s.query.to}. ${s.totals.registered} registered and ${s.totals.collected} collected in all. The numbers are in the table below the chart.`,
    }),
    categories: s.days.map((d) => shortDay(lang, d.date)),
    series: [
      { label: t(words.registered), color: chartColors.blue, values: s.days.map((d) => d.registered) },
      { label: t(words.collected), color: chartColors.orange, values: s.days.map((d) => d.collected) },
    ],
  });
  return html`<section aria-labelledby="days-heading">
<h2 id="days-heading">${t(words.perDay)}</h2>
<figure>${chart}</figure>
<table id="days-table">
<caption>${t(words.perDay)}: ${say(lang, { pl: 'liczby', en: 'the numbers' })}</caption>
<thead><tr><th scope="col">${t(words.date)}</th><th scope="col">${t(words.registered)}</th><th scope="col">${t(words.loaded)}</th><th scope="col">${t(words.collected)}</th><th scope="col">${t(words.outsideShort)}</th><th scope="col">${t(words.expired)}</th></tr></thead>
<tbody>${s.days.map((d) => html`<tr data-day="${d.date}"><th scope="row"><time datetime="${d.date}">${longDay(lang, d.date)}</time></th><td>${d.registered}</td><td>${d.loaded}</td><td>${d.collected}</td><td>${d.collectedOutsideHours}</td><td>${d.expired}</td></tr>`)}</tbody>
<tfoot><tr><th scope="row">${say(lang, { pl: 'Razem', en: 'Total' })}</th><td>${s.totals.registered}</td><td>${s.totals.loaded}</td><td>${s.totals.collected}</td><td>${s.totals.collectedOutsideHours}</td><td>${s.totals.expired}</td></tr></tfoot>
</table>
</section>`;
}

function outsideSection(lang: Lang, s: Stats, counterHours: CounterHours): Html {
  const t = (w: Words) => say(lang, w);
  const share = s.outsideShare === undefined ? t(words.none) : percent(lang, s.outsideShare);
  const chart = barChart({
    id: 'chart-outside',
    title: t(words.outsideHeading),
    desc: say(lang, {
      pl: `Wykres słupkowy skumulowany: odbiory w każdym dniu tygodnia, w godzinach pracy urzędu i poza nimi. Poza godzinami: ${s.totals.collectedOutsideHours} z ${s.totals.collected} odbiorów (${share}). Liczby są w tabeli pod wykresem.`,
      en: `Stacked bar chart: collections on each day of the week, within and outside office hours. Outside hours: ${s.totals.collectedOutsideHours} of ${s.totals.collected} collections (${share}). The numbers are in the table below the chart.`,
    }),
    categories: weekdayShort[lang],
    stacked: true,
    height: 240,
    series: [
      { label: t(words.within), color: chartColors.blue, values: s.byWeekday.map((w) => w.within) },
      { label: t(words.outsideShort), color: chartColors.orange, values: s.byWeekday.map((w) => w.outside) },
    ],
  });
  return html`<section aria-labelledby="outside-heading">
<h2 id="outside-heading">${t(words.outsideHeading)}</h2>
<p id="outside-share"><strong>${share}</strong> ${say(lang, {
    pl: `odbiorów (${s.totals.collectedOutsideHours} z ${s.totals.collected}) w tym okresie było poza godzinami pracy urzędu: ${hoursText(lang, counterHours)}.`,
    en: `of collections (${s.totals.collectedOutsideHours} of ${s.totals.collected}) in this period were outside the counter's hours: ${hoursText(lang, counterHours)}.`,
  })}</p>
<figure>${chart}</figure>
<table id="outside-table">
<caption>${t(words.outsideHeading)}: ${say(lang, { pl: 'według dnia tygodnia', en: 'by day of the week' })}</caption>
<thead><tr><th scope="col">${t(words.weekday)}</th><th scope="col">${t(words.within)}</th><th scope="col">${t(words.outsideShort)}</th></tr></thead>
<tbody>${s.byWeekday.map((w) => html`<tr><th scope="row">${weekdayNames[lang][w.isoDow - 1]}</th><td>${w.within}</td><td>${w.outside}</td></tr>`)}</tbody>
</table>
</section>`;
}

function waitSection(lang: Lang, s: Stats): Html {
  const t = (w: Words) => say(lang, w);
  const bucket = (b: Stats['waiting']['histogram'][number]): string =>
    b.toDays === undefined ? say(lang, { pl: `${b.fromDays} i więcej`, en: `${b.fromDays} or more` }) : `${b.fromDays}–${b.toDays}`;
  const axis = (b: Stats['waiting']['histogram'][number]): string => (b.toDays === undefined ? `${b.fromDays}+` : `${b.fromDays}–${b.toDays}`);
  const chart = barChart({
    id: 'chart-wait',
    title: t(words.waitHeading),
    desc: say(lang, {
      pl: `Histogram: ile odebranych dokumentów czekało w urzędomacie od 0 do 1 dnia, od 1 do 2 dni i tak dalej. Mediana ${hours(lang, s.waiting.medianHours)}, 90. percentyl ${hours(lang, s.waiting.p90Hours)}, ${s.waiting.count} dokumentów. Liczby są w tabeli pod wykresem.`,
      en: `Histogram: how many collected documents waited in the locker from 0 to 1 day, 1 to 2 days and so on. Median ${hours(lang, s.waiting.medianHours)}, 90th percentile ${hours(lang, s.waiting.p90Hours)}, ${s.waiting.count} documents. The numbers are in the table below the chart.`,
    }),
    categories: s.waiting.histogram.map(axis),
    series: [{ label: t(words.documents), color: chartColors.blue, values: s.waiting.histogram.map((b) => b.count) }],
    xTitle: t(words.waitDays),
    height: 240,
  });
  return html`<section aria-labelledby="wait-heading">
<h2 id="wait-heading">${t(words.waitHeading)}</h2>
<p>${say(lang, { pl: 'Od włożenia do skrytki do odbioru, dla dokumentów odebranych w tym okresie.', en: 'From loading to collection, for the documents collected in this period.' })}</p>
<figure>${chart}</figure>
<table id="wait-table">
<caption>${t(words.waitHeading)}: ${say(lang, { pl: 'liczba dokumentów', en: 'number of documents' })}</caption>
<thead><tr><th scope="col">${t(words.waitDays)}</th><th scope="col">${t(words.documents)}</th></tr></thead>
<tbody>${s.waiting.histogram.map((b) => html`<tr><th scope="row">${bucket(b)}</th><td>${b.count}</td></tr>`)}</tbody>
</table>
</section>`;
}

export const statsPages: PanelArea = (app, ctx) => {
  app.get<{ Querystring: StatsQs }>('/stats', async (req, reply) => {
    const lang = req.lang;
    const t = (w: Words) => say(lang, w);
    const { lockers, asked, counterHours, stats: s } = await load(ctx, req);
    const q = asked.query;
    const body = html`<form method="get" action="/stats" class="filters" aria-label="${say(lang, { pl: 'Zakres statystyk', en: 'Range of the statistics' })}">
<div><label for="from">${t(words.from)}</label><input type="date" id="from" name="from" value="${q.from}" required></div>
<div><label for="to">${t(words.to)}</label><input type="date" id="to" name="to" value="${q.to}" required></div>
<div><label for="locker">${t(words.locker)}</label><select id="locker" name="locker"><option value="">${t(words.allLockers)}</option>${lockers.map(
      (l) => html`<option value="${l.id}"${l.id === q.lockerId ? html` selected` : ''}>${l.name} (${l.id})</option>`,
    )}</select></div>
<button type="submit">${t(words.show)}</button>
</form>
<p><a href="/stats.csv?${queryString(q)}" download>${t(words.csv)}</a></p>
<section aria-labelledby="summary-heading">
<h2 id="summary-heading">${t(words.summary)}</h2>
<dl id="summary" class="figures">
<dt>${t(words.registered)}</dt><dd id="total-registered">${s.totals.registered}</dd>
<dt>${t(words.collected)}</dt><dd id="total-collected">${s.totals.collected}</dd>
<dt>${t(words.outside)}</dt><dd id="outside-share-value">${s.outsideShare === undefined ? t(words.none) : `${percent(lang, s.outsideShare)} (${s.totals.collectedOutsideHours})`}</dd>
<dt>${t(words.median)}</dt><dd id="wait-median">${hours(lang, s.waiting.medianHours)}</dd>
<dt>${t(words.p90)}</dt><dd id="wait-p90">${hours(lang, s.waiting.p90Hours)}</dd>
<dt>${t(words.expired)}</dt><dd id="total-expired">${s.totals.expired}</dd>
</dl>
</section>
${perDaySection(lang, s)}
${outsideSection(lang, s, counterHours)}
${waitSection(lang, s)}`;
    return sendPage(req, reply, { title: words.title, body, ...(asked.problem ? { notice: { text: problemText(lang, asked.problem), error: true } } : {}) });
  });

  app.get<{ Querystring: StatsQs }>('/stats.csv', async (req, reply) => {
    const { asked, stats } = await load(ctx, req);
    if (asked.problem !== undefined) return reply.code(400).header('content-type', 'text/plain; charset=utf-8').send(say(req.lang, words[asked.problem]));
    const q = asked.query;
    const name = `urzedomat-stats-${q.from}-${q.to}${q.lockerId === undefined ? '' : `-${q.lockerId}`}.csv`;
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(statsCsv(stats));
  });
};
