import type { ComponentChildren } from 'preact';
import { scaleBand, scaleLinear, scalePoint } from 'd3-scale';
import { area, line, stack } from 'd3-shape';

// Charts drawn on the server as SVG: d3-scale places things, d3-shape draws the paths, and
// nothing runs in the browser. Each scales with its viewBox (phone or desktop alike), is an
// image with a name and a description, and only ever sits beside a table of its numbers.

// 360 units wide with 12-unit text: about 11 px on a 390 px phone, where the chart is widest
// against its text; the stylesheet caps its width on a desktop.
const WIDTH = 360;
const HEIGHT = 220;
const TOP = 12;
const BOTTOM = 28;
const RIGHT = 10;
const FONT = 12;
/** Coordinates to a hundredth of a unit: finer is invisible and only weighs on the page. */
const r = (n: number) => Math.round(n * 100) / 100;
// Wide enough for the longest tick label at FONT (about 0.6 em a character).
const leftFor = (labels: string[]) => Math.max(24, Math.ceil(Math.max(...labels.map((l) => l.length)) * FONT * 0.6) + 8);

export interface Series {
  key: string;
  label: string;
  color: string;
  /** One value per category, in order. */
  values: number[];
  /** A dash pattern, so lines differ by more than colour. */
  dash?: string;
}

/** The frame of a chart: the SVG with its title and description, then its key. */
function Chart(props: { id: string; title: string; desc: string; legend: string; series: readonly Pick<Series, 'key' | 'label' | 'color' | 'dash'>[]; lines?: boolean; children: ComponentChildren }) {
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby={`${props.id}-title ${props.id}-desc`} class="chart-svg" font-size={FONT}>
        <title id={`${props.id}-title`}>{props.title}</title>
        <desc id={`${props.id}-desc`}>{props.desc}</desc>
        {props.children}
      </svg>
      {props.series.length > 1 ? (
        <ul class="legend" aria-label={props.legend}>
          {props.series.map((s) => (
            <li>
              <svg width="22" height="12" viewBox="0 0 22 12" aria-hidden="true" focusable="false">
                {props.lines ? <line x1="1" y1="6" x2="21" y2="6" stroke={s.color} stroke-width="3" stroke-dasharray={s.dash} /> : <rect x="4" y="0" width="14" height="12" fill={s.color} />}
              </svg>
              {s.label}
            </li>
          ))}
        </ul>
      ) : null}
    </figure>
  );
}

/** Horizontal grid lines and the value axis' labels. */
function ValueAxis(props: { ticks: number[]; y: (value: number) => number; left: number; format: (value: number) => string }) {
  return (
    <g>
      {props.ticks.map((tick) => (
        <g>
          <line x1={props.left} x2={WIDTH - RIGHT} y1={r(props.y(tick))} y2={r(props.y(tick))} stroke={tick === 0 ? '#5c5c57' : '#d6d6cf'} stroke-width="1" />
          <text x={props.left - 4} y={r(props.y(tick))} dy="0.32em" text-anchor="end" fill="#3d3d3a">
            {props.format(tick)}
          </text>
        </g>
      ))}
    </g>
  );
}

/**
 * The category axis' labels under the bars or points: every other one from the last (twelve
 * month names do not fit a phone's width side by side; the table names every month).
 */
function CategoryAxis(props: { labels: string[]; x: (index: number) => number }) {
  const last = props.labels.length - 1;
  return (
    <g>
      {props.labels.map((label, i) =>
        (last - i) % 2 === 0 ? (
          <text x={r(props.x(i))} y={HEIGHT - BOTTOM + 17} text-anchor="middle" fill="#3d3d3a">
            {label}
          </text>
        ) : null,
      )}
    </g>
  );
}

const valueTicks = (max: number, integers: boolean) => {
  const ticks = scaleLinear().domain([0, max]).nice(4).ticks(4);
  return integers ? ticks.filter((t) => Number.isInteger(t)) : ticks;
};

interface ChartProps {
  id: string;
  title: string;
  desc: string;
  legend: string;
  categories: string[];
  series: Series[];
  format: (value: number) => string;
}

/** The series stacked per category, and the value axis that holds the tallest stack. */
function stackedLayout(props: ChartProps) {
  const rows = props.categories.map((_, i) => Object.fromEntries(props.series.map((s) => [s.key, s.values[i] ?? 0])));
  const layers = stack<Record<string, number>>().keys(props.series.map((s) => s.key))(rows);
  const max = Math.max(1, ...rows.map((row) => Object.values(row).reduce((a, b) => a + b, 0)));
  const ticks = valueTicks(max, true);
  const left = leftFor(ticks.map(props.format));
  const y = scaleLinear().domain([0, Math.max(max, ticks[ticks.length - 1] ?? max)]).range([HEIGHT - BOTTOM, TOP]);
  return { layers, ticks, left, y };
}

/** Stacked vertical bars: one per category, a segment per series. */
export function StackedBarChart(props: ChartProps) {
  const { layers, ticks, left, y } = stackedLayout(props);
  const x = scaleBand<number>().domain(props.categories.map((_, i) => i)).range([left, WIDTH - RIGHT]).padding(0.25);
  return (
    <Chart id={props.id} title={props.title} desc={props.desc} legend={props.legend} series={props.series}>
      <ValueAxis ticks={ticks} y={y} left={left} format={props.format} />
      {layers.map((layer, s) => (
        <g fill={props.series[s]!.color}>
          {layer.map(([low, high], i) => (high > low ? <rect x={r(x(i)!)} y={r(y(high))} width={r(x.bandwidth())} height={r(y(low) - y(high))} stroke="#fff" stroke-width="0.5" /> : null))}
        </g>
      ))}
      <CategoryAxis labels={props.categories} x={(i) => x(i)! + x.bandwidth() / 2} />
    </Chart>
  );
}

/** Horizontal bars, one per category, each labelled with its value (or `empty` when it has none). */
export function BarChart(props: { id: string; title: string; desc: string; categories: string[]; values: (number | null)[]; colors: string[]; format: (value: number) => string; empty: string }) {
  const labelWidth = leftFor(props.categories);
  const max = Math.max(1, ...props.values.map((v) => v ?? 0));
  const x = scaleLinear().domain([0, max * 1.25]).range([labelWidth, WIDTH - RIGHT]);
  const y = scaleBand<number>().domain(props.categories.map((_, i) => i)).range([TOP, HEIGHT - TOP]).padding(0.3);
  return (
    <Chart id={props.id} title={props.title} desc={props.desc} legend="" series={[]}>
      <line x1={labelWidth} x2={labelWidth} y1={TOP} y2={HEIGHT - TOP} stroke="#5c5c57" />
      {props.categories.map((category, i) => {
        const value = props.values[i] ?? null;
        const middle = y(i)! + y.bandwidth() / 2;
        return (
          <g>
            <text x={labelWidth - 6} y={r(middle)} dy="0.32em" text-anchor="end" fill="#1a1a1a">
              {category}
            </text>
            {value === null ? null : <rect x={labelWidth} y={r(y(i)!)} width={r(Math.max(0, x(value) - labelWidth))} height={r(y.bandwidth())} fill={props.colors[i]} />}
            <text x={r((value === null ? labelWidth : x(value)) + 4)} y={r(middle)} dy="0.32em" fill="#1a1a1a" font-weight="700">
              {value === null ? props.empty : props.format(value)}
            </text>
          </g>
        );
      })}
    </Chart>
  );
}

/** Stacked areas over the categories: how a whole splits, point by point. */
export function StackedAreaChart(props: ChartProps) {
  const { layers, ticks, left, y } = stackedLayout(props);
  const x = scalePoint<number>().domain(props.categories.map((_, i) => i)).range([left + 8, WIDTH - RIGHT - 8]);
  const shape = area<[number, number]>()
    .digits(2)
    .x((_, i) => x(i)!)
    .y0((d) => y(d[0]))
    .y1((d) => y(d[1]));
  return (
    <Chart id={props.id} title={props.title} desc={props.desc} legend={props.legend} series={props.series}>
      <ValueAxis ticks={ticks} y={y} left={left} format={props.format} />
      {layers.map((layer, s) => (
        <path d={shape(layer.map((point) => [point[0], point[1]] as [number, number])) ?? ''} fill={props.series[s]!.color} stroke="#fff" stroke-width="0.5" />
      ))}
      <CategoryAxis labels={props.categories} x={(i) => x(i)!} />
    </Chart>
  );
}

/** Lines with a marker at each point, told apart by colour and dash. */
export function LineChart(props: ChartProps) {
  const max = Math.max(1, ...props.series.flatMap((s) => s.values));
  const ticks = valueTicks(max, true);
  const left = leftFor(ticks.map(props.format));
  const y = scaleLinear().domain([0, Math.max(max, ticks[ticks.length - 1] ?? max)]).range([HEIGHT - BOTTOM, TOP]);
  const x = scalePoint<number>().domain(props.categories.map((_, i) => i)).range([left + 8, WIDTH - RIGHT - 8]);
  const path = line<number>()
    .digits(2)
    .x((_, i) => x(i)!)
    .y((value) => y(value));
  return (
    <Chart id={props.id} title={props.title} desc={props.desc} legend={props.legend} series={props.series} lines>
      <ValueAxis ticks={ticks} y={y} left={left} format={props.format} />
      {props.series.map((s) => (
        <g>
          <path d={path(s.values) ?? ''} fill="none" stroke={s.color} stroke-width="2.5" stroke-dasharray={s.dash} />
          {s.values.map((value, i) => (
            <circle cx={r(x(i)!)} cy={r(y(value))} r="3" fill={s.color} />
          ))}
        </g>
      ))}
      <CategoryAxis labels={props.categories} x={(i) => x(i)!} />
    </Chart>
  );
}
