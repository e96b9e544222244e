'use client';

import { Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, YAxis } from 'recharts';
import type { SparklinePoint } from '@/lib/data/devices';

const time = new Intl.DateTimeFormat('en', { timeStyle: 'short', timeZone: 'UTC' });

/**
 * The last 24 hours of a device's temperature, drawn from at most 96 server-made buckets; the
 * device's thresholds show as dashed lines when set.
 */
export function ReadingsSparkline({ points, min, max }: { points: SparklinePoint[]; min: number | null; max: number | null }) {
  const values = points.flatMap((p) => [p.min, p.max]).concat(min ?? [], max ?? []);
  const low = Math.floor(Math.min(...values) - 0.5);
  const high = Math.ceil(Math.max(...values) + 0.5);
  const last = points.at(-1);
  return (
    <div className="flex flex-col gap-1">
      <div className="h-20 w-full text-primary" role="img" aria-label={`Temperature over the last 24 hours: ${points.length} readings buckets, latest ${last?.avg ?? '—'} °C`}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 4, right: 4, bottom: 4, left: 4 }}>
            <YAxis hide domain={[low, high]} />
            {min !== null ? <ReferenceLine y={min} stroke="var(--color-muted-foreground)" strokeDasharray="3 3" /> : null}
            {max !== null ? <ReferenceLine y={max} stroke="var(--color-muted-foreground)" strokeDasharray="3 3" /> : null}
            <Tooltip
              formatter={(value) => [`${value} °C`, 'average']}
              labelFormatter={(_label, payload) => {
                const t = payload?.[0]?.payload?.t;
                return typeof t === 'number' ? `${time.format(new Date(t))} UTC` : '';
              }}
              contentStyle={{ fontSize: 12 }}
            />
            <Line type="monotone" dataKey="avg" stroke="currentColor" strokeWidth={1.5} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className="text-xs text-muted-foreground">
        Last 24 h, 15-minute averages{last ? `; latest ${last.avg} °C` : ''}
        {min !== null && max !== null ? `; thresholds ${min}–${max} °C` : ''}.
      </p>
    </div>
  );
}
