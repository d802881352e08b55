import { html, type Html } from './html.js';

/**
 * Bar charts drawn on the server as SVG (issue 16): no script, and no `style` attribute or element (the panel's
 * CSP forbids inline style), only SVG presentation attributes. Each chart is one image to assistive technology
 * (`role="img"`, named by its `<title>` and described by its `<desc>`); the page puts a table of the same
 * numbers beside it, which is what a screen reader reads.
 */

export interface Series {
  readonly label: string;
  /** A fill with at least 3:1 contrast against white (WCAG 1.4.11). */
  readonly color: string;
  readonly values: readonly number[];
}

export interface BarChart {
  /** Unique on the page: the title and description are referenced by it. */
  readonly id: string;
  readonly title: string;
  readonly desc: string;
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  /** Series stacked in one bar per category; otherwise side by side. */
  readonly stacked?: boolean;
  /** Under the category labels. */
  readonly xTitle?: string;
  readonly width?: number;
  readonly height?: number;
}

export const chartColors = { blue: '#0b4f8a', orange: '#a14a00', grey: '#5c5c5c' } as const;

const ink = '#1b1b1b';
const grid = '#c9c9c9';
const font = 'system-ui, sans-serif';

/** Round numbers for the value axis: a step of 1, 2 or 5 times a power of ten, about five lines. */
export function ticks(max: number): { top: number; step: number } {
  if (max <= 0) return { top: 1, step: 1 };
  const rough = max / 5;
  const p = 10 ** Math.floor(Math.log10(rough));
  const step = Math.max(1, [1, 2, 5, 10].map((m) => m * p).find((s) => s >= rough) ?? 10 * p);
  return { top: Math.ceil(max / step) * step, step };
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(1));

export function barChart(c: BarChart): Html {
  const width = c.width ?? 760;
  const height = c.height ?? 280;
  const left = 44;
  const right = 12;
  const top = c.series.length > 1 ? 34 : 14;
  const bottom = c.xTitle === undefined ? 28 : 48;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const n = Math.max(1, c.categories.length);
  const totals = c.categories.map((_, i) => (c.stacked === true ? c.series.reduce((a, s) => a + (s.values[i] ?? 0), 0) : Math.max(0, ...c.series.map((s) => s.values[i] ?? 0))));
  const { top: yMax, step } = ticks(Math.max(0, ...totals));
  const y = (v: number): number => top + plotH - (v / yMax) * plotH;
  const band = plotW / n;
  const barSpace = band * 0.8;
  const every = Math.max(1, Math.ceil(n / 12));

  const gridLines: Html[] = [];
  for (let v = 0; v <= yMax; v += step) {
    gridLines.push(html`<line x1="${left}" x2="${width - right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${v === 0 ? ink : grid}" stroke-width="1"/>
<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" font-size="12" font-family="${font}" fill="${ink}">${fmt(v)}</text>`);
  }

  const bars: Html[] = [];
  c.categories.forEach((cat, i) => {
    const x0 = left + i * band + (band - barSpace) / 2;
    let stackTop = 0;
    c.series.forEach((s, j) => {
      const v = s.values[i] ?? 0;
      if (v <= 0) return;
      const w = c.stacked === true ? barSpace : barSpace / c.series.length;
      const x = c.stacked === true ? x0 : x0 + j * w;
      const y1 = y(stackTop + v);
      const h = y(stackTop) - y1;
      if (c.stacked === true) stackTop += v;
      bars.push(html`<rect x="${x.toFixed(1)}" y="${y1.toFixed(1)}" width="${Math.max(1, w - (c.stacked === true ? 0 : 1)).toFixed(1)}" height="${h.toFixed(1)}" fill="${s.color}"><title>${cat}: ${s.label} ${fmt(v)}</title></rect>`);
    });
  });

  const labels = c.categories.map((cat, i) =>
    i % every === 0
      ? html`<text x="${(left + (i + 0.5) * band).toFixed(1)}" y="${top + plotH + 16}" text-anchor="middle" font-size="12" font-family="${font}" fill="${ink}">${cat}</text>`
      : '',
  );

  let legendX = left;
  const legend = c.series.length < 2 ? [] : c.series.map((s) => {
    const item = html`<rect x="${legendX}" y="8" width="14" height="14" fill="${s.color}"/><text x="${legendX + 20}" y="20" font-size="13" font-family="${font}" fill="${ink}">${s.label}</text>`;
    legendX += 34 + s.label.length * 7.5;
    return item;
  });

  return html`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="${c.id}-title ${c.id}-desc" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<title id="${c.id}-title">${c.title}</title>
<desc id="${c.id}-desc">${c.desc}</desc>
<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>
${legend}
${gridLines}
${bars}
${labels}
${c.xTitle === undefined ? '' : html`<text x="${left + plotW / 2}" y="${height - 8}" text-anchor="middle" font-size="12" font-family="${font}" fill="${ink}">${c.xTitle}</text>`}
</svg>`;
}
