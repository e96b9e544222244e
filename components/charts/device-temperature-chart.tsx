'use client';

import { Area, CartesianGrid, ComposedChart, Legend, Line, ReferenceLine, Tooltip, XAxis, YAxis, type TooltipContentProps } from 'recharts';
import { formatBucketWidth } from '@/lib/readings/buckets';
import type { DeviceChartRow } from '@/lib/readings/series';
import { BucketTooltip, CHART_MARGIN, ChartPlaceholder, GRID_PROPS, TEMPERATURE_AXIS_PROPS, timeAxisProps } from './chart-parts';
import { formatTemperature, LIMIT_COLOR, MARKER_COLORS, markerRows, niceScale } from './format';
import { useIsClient } from './use-is-client';

export interface DeviceChartMarker {
  t: number;
  kind: 'issued' | 'rotated' | 'revoked';
  serialNumber: string;
}

export interface DeviceTemperatureChartProps {
  rows: DeviceChartRow[];
  widthSeconds: number;
  from: number;
  to: number;
  limits: { min: number | null; max: number | null };
  markers: DeviceChartMarker[];
  height?: number;
}

const LINE = '#2563eb';
const MARKER_LABEL = { issued: 'issued', rotated: 'rotated', revoked: 'revoked' } as const;

/** Temperature over time: the min–max band of each bucket, its average, the limits and certificate events. */
export function DeviceTemperatureChart({ rows, widthSeconds, from, to, limits, markers, height = 360 }: DeviceTemperatureChartProps) {
  const isClient = useIsClient();
  if (!isClient) return <ChartPlaceholder height={height} />;

  // The limits stay in view even when every reading is far inside them.
  const values = rows.flatMap((r) => (r.band ? r.band : []));
  for (const limit of [limits.min, limits.max]) if (limit !== null) values.push(limit);
  const { domain, ticks } = niceScale(values);
  // A label beside a marker near the right edge would be cut off: put it on the line's left there.
  const markerRow = markerRows(
    markers.map((m) => m.t),
    from,
    to,
  );
  const labelSide = (t: number) => (t > from + (to - from) * 0.85 ? 'insideTopRight' : 'insideTopLeft');

  return (
    <div data-testid="device-chart">
      <ComposedChart data={rows} responsive style={{ width: '100%', height }} margin={CHART_MARGIN}>
        <CartesianGrid {...GRID_PROPS} />
        <XAxis {...timeAxisProps(from, to)} />
        <YAxis {...TEMPERATURE_AXIS_PROPS} domain={domain} ticks={ticks} allowDataOverflow />
        <Tooltip content={(props) => <DeviceTooltip {...props} widthSeconds={widthSeconds} />} isAnimationActive={false} />
        <Legend verticalAlign="top" height={28} wrapperStyle={{ fontSize: 12 }} />
        <Area
          dataKey="band"
          name="Min–max per bucket"
          stroke="none"
          fill={LINE}
          fillOpacity={0.18}
          isAnimationActive={false}
          connectNulls={false}
          activeDot={false}
        />
        <Line dataKey="avg" name="Average" stroke={LINE} strokeWidth={1.75} dot={false} isAnimationActive={false} connectNulls={false} />
        {limits.min !== null ? (
          <ReferenceLine y={limits.min} stroke={LIMIT_COLOR} strokeDasharray="6 4" label={{ value: `min ${limits.min} °C`, position: 'insideBottomRight', fontSize: 11, fill: LIMIT_COLOR }} />
        ) : null}
        {limits.max !== null ? (
          <ReferenceLine y={limits.max} stroke={LIMIT_COLOR} strokeDasharray="6 4" label={{ value: `max ${limits.max} °C`, position: 'insideTopRight', fontSize: 11, fill: LIMIT_COLOR }} />
        ) : null}
        {markers.map((m, i) => (
          <ReferenceLine
            key={`${m.kind}-${m.serialNumber}-${m.t}`}
            x={m.t}
            stroke={MARKER_COLORS[m.kind]}
            strokeDasharray="2 3"
            // Markers close together take a row each, so their labels never print over one another.
            label={{ value: MARKER_LABEL[m.kind], position: labelSide(m.t), offset: 5 + markerRow[i]! * 14, fontSize: 11, fill: MARKER_COLORS[m.kind] }}
          />
        ))}
      </ComposedChart>
    </div>
  );
}

function DeviceTooltip({ active, payload, widthSeconds }: TooltipContentProps & { widthSeconds: number }) {
  const row = payload?.[0]?.payload as DeviceChartRow | undefined;
  if (!active || !row || !row.band) return null;
  return (
    <BucketTooltip t={row.t} widthSeconds={widthSeconds} about={`Bucket ${formatBucketWidth(widthSeconds)} · ${row.count} ${row.count === 1 ? 'reading' : 'readings'}`}>
      <dt>Max</dt>
      <dd className="text-right">{formatTemperature(row.band[1], 3)}</dd>
      <dt>Average</dt>
      <dd className="text-right">{formatTemperature(row.avg, 3)}</dd>
      <dt>Min</dt>
      <dd className="text-right">{formatTemperature(row.band[0], 3)}</dd>
    </BucketTooltip>
  );
}
