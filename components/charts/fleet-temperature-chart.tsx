'use client';

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { formatBucketWidth } from '@/lib/readings/buckets';
import { seriesKey, type FleetChartRow } from '@/lib/readings/series';
import { AVERAGE_DASH, formatDateTime, formatTemperature, SERIES_COLORS, tickFormatter, timeTicks } from './format';
import { useIsClient } from './use-is-client';

export interface FleetTemperatureChartProps {
  rows: FleetChartRow[];
  /** In the order of the `s<i>` keys. */
  series: { id: string; name: string }[];
  averageLabel: string;
  widthSeconds: number;
  from: number;
  to: number;
  height?: number;
}

/**
 * Several devices' averages per bucket on one chart, with the selection's average as a thick dashed line. Lines
 * connect across buckets a device has no reading in: open a device's own chart to see its gaps and extremes.
 * The chart draws no legend of its own: the page's list of drawn devices (their colours, links to their charts
 * and the average's dash) is the legend, so a phone does not spend the chart's height on a second one.
 */
export function FleetTemperatureChart({ rows, series, averageLabel, widthSeconds, from, to, height = 380 }: FleetTemperatureChartProps) {
  const isClient = useIsClient();
  if (!isClient) return <div style={{ height }} className="animate-pulse rounded-md bg-muted" aria-hidden />;
  const names: Record<string, string> = Object.fromEntries(series.map((s, i) => [seriesKey(i), s.name]));
  names.avg = averageLabel;

  return (
    <div data-testid="fleet-chart">
      <LineChart data={rows} responsive style={{ width: '100%', height }} margin={{ top: 16, right: 16, bottom: 4, left: 0 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--color-border)" />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={[from, to]}
          allowDataOverflow
          ticks={timeTicks(from, to)}
          // Every tick drawn: recharts' own thinning (preserveStartEnd) drops some and leaves uneven gaps.
          interval={0}
          tickFormatter={tickFormatter(to - from)}
          stroke="var(--color-muted-foreground)"
          fontSize={12}
        />
        <YAxis domain={['auto', 'auto']} unit=" °C" width={64} stroke="var(--color-muted-foreground)" fontSize={12} />
        <Tooltip content={(props) => <FleetTooltip {...props} widthSeconds={widthSeconds} names={names} />} isAnimationActive={false} />
        {series.map((s, i) => (
          <Line
            key={s.id}
            dataKey={seriesKey(i)}
            name={s.name}
            stroke={SERIES_COLORS[i % SERIES_COLORS.length]}
            strokeWidth={1.25}
            dot={false}
            connectNulls
            isAnimationActive={false}
          />
        ))}
        <Line dataKey="avg" name={averageLabel} stroke="var(--color-foreground)" strokeWidth={2.5} strokeDasharray={AVERAGE_DASH} dot={false} connectNulls isAnimationActive={false} />
      </LineChart>
    </div>
  );
}

function FleetTooltip({ active, payload, widthSeconds, names }: TooltipContentProps & { widthSeconds: number; names: Record<string, string> }) {
  const row = payload?.[0]?.payload as FleetChartRow | undefined;
  if (!active || !row) return null;
  const entries = Object.entries(row)
    .filter(([key]) => key !== 't' && key !== 'avg')
    .sort(([, a], [, b]) => b - a);
  return (
    <div data-testid="chart-tooltip" className="rounded-md border border-border bg-card px-3 py-2 text-xs text-card-foreground shadow-md">
      <p className="font-medium">
        {formatDateTime(row.t)} – {formatDateTime(row.t + widthSeconds * 1000)}
      </p>
      <p className="text-muted-foreground">Average per bucket of {formatBucketWidth(widthSeconds)}</p>
      <dl className="mt-1 grid grid-cols-[auto_auto] gap-x-3 tabular-nums">
        {row.avg !== undefined ? (
          <>
            <dt className="font-medium">{names.avg}</dt>
            <dd className="text-right font-medium">{formatTemperature(row.avg, 3)}</dd>
          </>
        ) : null}
        {entries.map(([key, value]) => (
          <div key={key} className="contents">
            <dt>{names[key] ?? key}</dt>
            <dd className="text-right">{formatTemperature(value, 3)}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
