'use client';

import { CartesianGrid, Line, LineChart, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { formatBucketWidth } from '@/lib/readings/buckets';
import { seriesKey, type FleetChartRow } from '@/lib/readings/series';
import { BucketTooltip, CHART_MARGIN, ChartPlaceholder, GRID_PROPS, TEMPERATURE_AXIS_PROPS, timeAxisProps } from './chart-parts';
import { AVERAGE_DASH, formatTemperature, SERIES_COLORS } from './format';
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
  if (!isClient) return <ChartPlaceholder height={height} />;
  const names: Record<string, string> = Object.fromEntries(series.map((s, i) => [seriesKey(i), s.name]));
  names.avg = averageLabel;

  return (
    <div data-testid="fleet-chart">
      <LineChart data={rows} responsive style={{ width: '100%', height }} margin={CHART_MARGIN}>
        <CartesianGrid {...GRID_PROPS} />
        <XAxis {...timeAxisProps(from, to)} />
        <YAxis {...TEMPERATURE_AXIS_PROPS} domain={['auto', 'auto']} />
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
    <BucketTooltip t={row.t} widthSeconds={widthSeconds} about={`Average per bucket of ${formatBucketWidth(widthSeconds)}`}>
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
    </BucketTooltip>
  );
}
