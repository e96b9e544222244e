import { cn } from '@/components/ui/cn';

/**
 * A tiny line of recent values as plain SVG (no chart library, renders on the server). Feed it
 * `readingSparklines()` from lib/readings/sparkline.ts.
 */
export function Sparkline({ values, width = 96, height = 24, className, label }: { values: readonly number[]; width?: number; height?: number; className?: string; label?: string }) {
  if (values.length < 2) return <span className={cn('inline-block text-xs text-muted-foreground', className)}>—</span>;
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const span = hi - lo || 1;
  const points = values
    .map((v, i) => `${((i / (values.length - 1)) * (width - 2) + 1).toFixed(1)},${(height - 1 - ((v - lo) / span) * (height - 2)).toFixed(1)}`)
    .join(' ');
  return (
    <svg width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label ?? `from ${values[0]} to ${values.at(-1)} °C`} className={cn('text-primary', className)}>
      <polyline points={points} fill="none" stroke="currentColor" strokeWidth={1.25} strokeLinejoin="round" strokeLinecap="round" />
    </svg>
  );
}
