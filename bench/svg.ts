/**
 * A log–log line chart as a standalone SVG document (no dependency): one line with point
 * markers per series, decade grid lines, a legend. Used for latency against parent rows.
 */

export interface Series {
  readonly name: string;
  readonly points: readonly { readonly x: number; readonly y: number }[];
  /** Stroke colour and dash pattern; by default each series takes the next of the palette. */
  readonly color?: string;
  readonly dash?: string;
}

export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly width?: number;
  readonly height?: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#e377c2', '#7f7f7f'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3', '', '4 4', '', '1 3', '6 2 1 2'];

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1e3 → "1k", 1e-1 → "0.1". */
export function decadeLabel(exp: number, unit = ''): string {
  const v = 10 ** exp;
  let text: string;
  if (exp >= 6) text = `${10 ** (exp - 6)}M`;
  else if (exp >= 3) text = `${10 ** (exp - 3)}k`;
  else if (exp >= 0) text = String(v);
  else text = v.toFixed(-exp);
  return `${text}${unit}`;
}

function fmt(n: number): string {
  return n.toFixed(1);
}

export function logLogChart(series: readonly Series[], options: ChartOptions): string {
  const width = options.width ?? 760;
  const height = options.height ?? 460;
  const margin = { left: 70, right: 20, top: 40, bottom: 55 };
  const legendWidth = 270;
  const plotW = width - margin.left - margin.right - legendWidth;
  const plotH = height - margin.top - margin.bottom;
  const points = series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  if (points.length === 0) throw new Error('chart has no positive points');
  const x0 = Math.floor(Math.log10(Math.min(...points.map((p) => p.x))));
  const x1 = Math.max(x0 + 1, Math.ceil(Math.log10(Math.max(...points.map((p) => p.x)))));
  const y0 = Math.floor(Math.log10(Math.min(...points.map((p) => p.y))));
  const y1 = Math.max(y0 + 1, Math.ceil(Math.log10(Math.max(...points.map((p) => p.y)))));
  const sx = (x: number): number => margin.left + ((Math.log10(x) - x0) / (x1 - x0)) * plotW;
  const sy = (y: number): number => margin.top + plotH - ((Math.log10(y) - y0) / (y1 - y0)) * plotH;

  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${margin.left}" y="24" font-size="15" font-weight="600">${escapeXml(options.title)}</text>`);
  for (let e = x0; e <= x1; e++) {
    const x = sx(10 ** e);
    out.push(`<line x1="${fmt(x)}" y1="${margin.top}" x2="${fmt(x)}" y2="${margin.top + plotH}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${fmt(x)}" y="${margin.top + plotH + 18}" text-anchor="middle" fill="#444">${decadeLabel(e)}</text>`);
  }
  for (let e = y0; e <= y1; e++) {
    const y = sy(10 ** e);
    out.push(`<line x1="${margin.left}" y1="${fmt(y)}" x2="${margin.left + plotW}" y2="${fmt(y)}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${margin.left - 8}" y="${fmt(y + 4)}" text-anchor="end" fill="#444">${decadeLabel(e)}</text>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`);

  series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length]!;
    const dash = s.dash ?? DASHES[i % DASHES.length]!;
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0).map((p) => `${fmt(sx(p.x))},${fmt(sy(p.y))}`);
    if (pts.length > 1) out.push(`<polyline points="${pts.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    for (const p of pts) {
      const [cx, cy] = p.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${color}"><title>${escapeXml(s.name)}</title></circle>`);
    }
    const ly = margin.top + 10 + i * 22;
    const lx = margin.left + plotW + 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 26}" y2="${ly}" stroke="${color}" stroke-width="2"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`);
    out.push(`<circle cx="${lx + 13}" cy="${ly}" r="3.5" fill="${color}"/>`);
    out.push(`<text x="${lx + 34}" y="${ly + 4}">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
