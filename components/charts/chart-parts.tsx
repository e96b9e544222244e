'use client';

import type { ReactNode } from 'react';
import type { XAxisProps, YAxisProps } from 'recharts';
import { formatDateTime, tickFormatter, timeTicks } from './format';

/*
 * What the device and fleet charts draw alike: the frame (margins, grid, time axis, temperature
 * axis), the box shown before the browser can measure, and the tooltip's frame.
 */

export const CHART_MARGIN = { top: 16, right: 16, bottom: 4, left: 0 };
export const GRID_PROPS = { strokeDasharray: '3 3', stroke: 'var(--color-border)' };

/** The time axis from `from` to `to` (ms since the epoch). */
export function timeAxisProps(from: number, to: number): XAxisProps {
  return {
    dataKey: 't',
    type: 'number',
    scale: 'time',
    domain: [from, to],
    allowDataOverflow: true,
    ticks: timeTicks(from, to),
    // Every tick drawn: recharts' own thinning (preserveStartEnd) drops some and leaves uneven gaps.
    interval: 0,
    tickFormatter: tickFormatter(to - from),
    stroke: 'var(--color-muted-foreground)',
    fontSize: 12,
  };
}

/** The temperature axis; `domain` and `ticks` from the chart. */
export const TEMPERATURE_AXIS_PROPS: YAxisProps = { unit: ' °C', width: 64, stroke: 'var(--color-muted-foreground)', fontSize: 12 };

/** Stands where a chart will be until the browser can measure it. */
export function ChartPlaceholder({ height }: { height: number }) {
  return <div style={{ height }} className="animate-pulse rounded-md bg-muted" aria-hidden />;
}

/** A tooltip for the bucket starting at `t`: its time span, a line about it, and its values as a list. */
export function BucketTooltip({ t, widthSeconds, about, children }: { t: number; widthSeconds: number; about: ReactNode; children: ReactNode }) {
  return (
    <div data-testid="chart-tooltip" className="rounded-md border border-border bg-card px-3 py-2 text-xs text-card-foreground shadow-md">
      <p className="font-medium">
        {formatDateTime(t)} – {formatDateTime(t + widthSeconds * 1000)}
      </p>
      <p className="text-muted-foreground">{about}</p>
      <dl className="mt-1 grid grid-cols-[auto_auto] gap-x-3 tabular-nums">{children}</dl>
    </div>
  );
}
