'use client';

import { Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatTemperature, niceScale, timeTicks } from '@/components/charts/format';
import type { SparklinePoint } from '@/lib/data/devices';

// Fixed locale and zone: the server render and the browser must print the same text.
const clock = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'UTC' });
const stamp = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' });
const DAY = 86_400_000;

/**
 * The last 24 hours of a device's temperature, drawn from at most 96 server-made 15-minute averages, with a
 * clock axis (UTC) and a few temperatures; the device's thresholds show as dashed lines when set. The caption
 * gives the newest single reading and its time, which the last average smooths.
 */
export function ReadingsSparkline({
  points,
  latest,
  min,
  max,
  now,
}: {
  points: SparklinePoint[];
  latest: { time: string; temperature: number } | null;
  min: number | null;
  max: number | null;
  now: number;
}) {
  const values = points.flatMap((p) => [p.avg]).concat(min ?? [], max ?? []);
  const { domain, ticks } = niceScale(values, 3);
  const from = now - DAY;
  return (
    <div className="flex flex-col gap-1">
      <div
        className="h-32 w-full text-primary"
        role="img"
        data-testid="device-sparkline"
        aria-label={`Temperature over the last 24 hours, 15-minute averages${latest ? `; last reading ${formatTemperature(latest.temperature)}` : ''}`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 6, right: 8, bottom: 0, left: 0 }}>
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={[from, now]}
              allowDataOverflow
              ticks={timeTicks(from, now, 4)}
              interval={0}
              tickFormatter={(t: number) => clock.format(new Date(t))}
              stroke="var(--color-muted-foreground)"
              fontSize={11}
              height={20}
            />
            <YAxis domain={domain} ticks={ticks} allowDataOverflow unit="°" width={40} stroke="var(--color-muted-foreground)" fontSize={11} />
            {min !== null ? <ReferenceLine y={min} stroke="var(--color-muted-foreground)" strokeDasharray="3 3" /> : null}
            {max !== null ? <ReferenceLine y={max} stroke="var(--color-muted-foreground)" strokeDasharray="3 3" /> : null}
            <Tooltip
              formatter={(value) => [`${value} °C`, '15-minute average']}
              labelFormatter={(_label, payload) => {
                const t = payload?.[0]?.payload?.t;
                return typeof t === 'number' ? `${clock.format(new Date(t))} UTC` : '';
              }}
              contentStyle={{ fontSize: 12 }}
            />
            <Line type="monotone" dataKey="avg" stroke="currentColor" strokeWidth={1.5} dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <p className="text-xs text-muted-foreground">
        Last 24 h in UTC, 15-minute averages
        {min !== null && max !== null ? `; thresholds ${min}–${max} °C` : ''}.
      </p>
      {latest ? (
        <p className="text-sm" data-testid="last-reading">
          Last reading <span className="font-medium tabular-nums">{formatTemperature(latest.temperature)}</span> at{' '}
          <time dateTime={latest.time}>{stamp.format(new Date(latest.time))} UTC</time>
        </p>
      ) : null}
    </div>
  );
}
