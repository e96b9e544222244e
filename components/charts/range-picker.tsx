'use client';

import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { type FormEvent, useState } from 'react';
import { buttonClasses } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { DateInput } from '@/components/ui/date-input';
import { Label } from '@/components/ui/input';
import { MAX_CUSTOM_RANGE_MS, MIN_CUSTOM_RANGE_MS, RANGE_PRESET_KEYS, RANGE_PRESETS, type RangePreset } from '@/lib/readings/range-presets';
import { useIsClient } from './use-is-client';

/** "2026-06-30T14:05" in the browser's time zone, what a datetime-local input shows. */
function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * The chart's range, kept in the URL: preset links (`?range=7d`) and a custom from–to form (`?from=…&to=…`,
 * ISO 8601 in UTC). Other query parameters (the fleet's selection) are kept.
 */
export function RangePicker({ preset, from, to }: { preset: RangePreset | 'custom'; from: string; to: string }) {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const router = useRouter();
  const isClient = useIsClient();
  const [error, setError] = useState<string | null>(null);

  const hrefWith = (entries: Record<string, string>) => {
    const params = new URLSearchParams(searchParams.toString());
    for (const key of ['range', 'from', 'to']) params.delete(key);
    for (const [key, value] of Object.entries(entries)) params.set(key, value);
    return `${pathname}?${params.toString()}`;
  };

  function applyCustom(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const start = new Date(String(data.get('from') ?? ''));
    const end = new Date(String(data.get('to') ?? ''));
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) return setError('Enter both a start and an end.');
    const span = end.getTime() - start.getTime();
    if (span <= 0) return setError('The end must be after the start.');
    if (span < MIN_CUSTOM_RANGE_MS) return setError('A range must span at least a minute.');
    if (span > MAX_CUSTOM_RANGE_MS) return setError('A range may span at most 400 days.');
    setError(null);
    router.push(hrefWith({ from: start.toISOString(), to: end.toISOString() }));
  }

  return (
    <div className="flex flex-wrap items-center gap-2">
      <nav aria-label="Time range" className="inline-flex rounded-md border border-border bg-background p-0.5">
        {RANGE_PRESET_KEYS.map((key) => (
          <Link
            key={key}
            href={hrefWith({ range: key })}
            aria-current={preset === key ? 'page' : undefined}
            className={cn(
              'rounded px-2.5 py-1 text-sm font-medium text-muted-foreground transition-colors hover:text-foreground',
              preset === key && 'bg-primary text-primary-foreground hover:text-primary-foreground',
            )}
          >
            {RANGE_PRESETS[key].label}
          </Link>
        ))}
      </nav>
      <details className="group relative">
        <summary
          className={cn(buttonClasses({ variant: preset === 'custom' ? 'primary' : 'outline', size: 'sm' }), 'list-none [&::-webkit-details-marker]:hidden')}
          aria-current={preset === 'custom' ? 'page' : undefined}
        >
          Custom range
        </summary>
        {isClient ? (
          <form
            onSubmit={applyCustom}
            noValidate
            className="absolute right-0 z-20 mt-2 flex w-72 flex-col gap-3 rounded-lg border border-border bg-card p-4 shadow-lg"
          >
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="range-from">From</Label>
              <DateInput id="range-from" name="from" type="datetime-local" defaultValue={toLocalInput(from)} required />
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="range-to">To</Label>
              <DateInput id="range-to" name="to" type="datetime-local" defaultValue={toLocalInput(to)} required />
            </div>
            <p aria-live="polite" className="text-sm text-destructive empty:hidden">
              {error}
            </p>
            <button type="submit" className={buttonClasses({ size: 'sm' })}>
              Show range
            </button>
          </form>
        ) : null}
      </details>
    </div>
  );
}
