'use client';

import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { ForecastWeek } from '@/lib/data/expiry';

const month = new Intl.DateTimeFormat('en', { month: 'short', timeZone: 'UTC' });
const day = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });
const monthOf = (week: string) => week.slice(0, 7);

/** The bars of ExpiryForecastChart (overview-expiry-forecast.tsx), loaded after the page: recharts is not in the Overview's first load. */
export function ExpiryForecastBars({ weeks }: { weeks: ForecastWeek[] }) {
  // One label per month, under the first week that starts in it: the bar below a label is that month's.
  const ticks = weeks.filter((w, i) => i === 0 || monthOf(w.week) !== monthOf(weeks[i - 1]!.week)).map((w) => w.week);
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={weeks} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
        <CartesianGrid vertical={false} stroke="var(--color-border)" />
        <XAxis
          dataKey="week"
          tickLine={false}
          axisLine={false}
          ticks={ticks}
          interval={0}
          tickFormatter={(week: string) => month.format(new Date(`${week}T00:00:00Z`))}
          tick={{ fontSize: 11, fill: 'var(--color-muted-foreground)' }}
        />
        <YAxis allowDecimals={false} tickLine={false} axisLine={false} tick={{ fontSize: 11, fill: 'var(--color-muted-foreground)' }} />
        <Tooltip
          cursor={{ fill: 'var(--color-muted)' }}
          labelFormatter={(week) => `Week of ${day.format(new Date(`${String(week)}T00:00:00Z`))}`}
          formatter={(value) => [value, 'certificates']}
          contentStyle={{ fontSize: 12 }}
        />
        <Bar dataKey="count" fill="currentColor" radius={[2, 2, 0, 0]} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
