import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface ChartSeries {
  label: string;
  values: (number | null)[];
  /** A CSS color or variable (`var(--accent)`): read from the page, so both themes draw right. */
  color: string;
}

/**
 * A CSS color as the page computes it now (uPlot draws on a canvas, which knows neither CSS variables
 * nor light-dark()): a probe element takes the color and the browser answers with rgb().
 */
function resolve(color: string): string {
  const probe = document.createElement('span');
  probe.style.color = color;
  probe.style.display = 'none';
  document.body.append(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  return computed || '#888';
}

/** The same color, see-through. */
const alpha = (rgb: string, a: number) => rgb.replace(/^rgb\((\d+), (\d+), (\d+)\)$/, `rgba($1, $2, $3, ${a})`);

/**
 * A chart by uPlot (small, canvas, fast with many thousands of points): bars or lines over days, in
 * the page's colors, redrawn when the theme or the width changes.
 */
export function UsageChart({ title, days, series, kind, format }: { title: string; days: string[]; series: ChartSeries[]; kind: 'bars' | 'lines'; format: (v: number) => string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const x = days.map((d) => Date.parse(`${d}T12:00:00`) / 1000);
    let plot: uPlot | null = null;
    const draw = () => {
      plot?.destroy();
      const text = resolve('var(--muted)');
      const grid = resolve('var(--border)');
      const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
      const bars = uPlot.paths.bars!({ size: [0.7, 40], align: 0 });
      plot = new uPlot(
        {
          width: Math.max(240, el.clientWidth),
          height: 200,
          legend: { show: series.length > 1 },
          cursor: { drag: { x: false, y: false } },
          scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
          axes: [axis, { ...axis, values: (_u, ticks) => ticks.map(format), size: 64 }],
          series: [
            {},
            ...series.map((s) => {
              const color = resolve(s.color);
              return kind === 'bars'
                ? { label: s.label, stroke: color, fill: alpha(color, 0.85), width: 0, paths: bars, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)) }
                : { label: s.label, stroke: color, width: 2, points: { show: days.length < 40 }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)) };
            }),
          ],
        },
        [x, ...series.map((s) => s.values)],
        el,
      );
    };
    draw();
    const resized = new ResizeObserver(() => plot && Math.abs(plot.width - el.clientWidth) > 8 && draw());
    resized.observe(el);
    // The theme is read when drawing: a change of theme (the setting, or the system's) draws again.
    const themes = new MutationObserver(draw);
    themes.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    const scheme = matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', draw);
    return () => {
      resized.disconnect();
      themes.disconnect();
      scheme.removeEventListener('change', draw);
      plot?.destroy();
    };
  }, [days, series, kind, format]);
  return (
    <figure className="chart" aria-label={title}>
      <figcaption>{title}</figcaption>
      <div ref={box} className="chart-canvas" data-testid="chart" />
    </figure>
  );
}
