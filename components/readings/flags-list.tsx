import { ShieldAlert } from 'lucide-react';
import Link from 'next/link';
import { Badge } from '@/components/ui/badge';
import type { FlagView } from '@/lib/data/readings';
import { FLAG_DESCRIPTIONS, type FlagKind } from '@/lib/readings/flags';
import { LocalTime } from './local-time';

const TITLES: Record<FlagKind, string> = { unknown: 'Unknown certificate', revoked: 'Revoked certificate', shared: 'Shared certificate' };

/** Readings that should not exist (lib/readings/flags.ts says which and why), with where they came from. */
export function FlagsList({ flags, title = 'Readings that should not exist' }: { flags: FlagView[]; title?: string }) {
  if (!flags.length) return null;
  return (
    <section
      aria-labelledby="flags-title"
      data-testid="reading-flags"
      className="rounded-lg border border-red-200 bg-red-50/60 p-4 text-sm dark:border-red-900 dark:bg-red-950/40"
    >
      <h2 id="flags-title" className="mb-2 flex items-center gap-2 font-semibold text-red-900 dark:text-red-100">
        <ShieldAlert aria-hidden className="size-4" />
        {title} ({flags.length})
      </h2>
      <ul className="flex flex-col gap-2">
        {flags.map((f) => (
          <li key={`${f.kind}-${f.fingerprint}`} className="flex flex-wrap items-baseline gap-x-2 gap-y-1">
            <Badge tone="danger" data-flag={f.kind}>
              {TITLES[f.kind]}
            </Badge>
            <span>
              {f.readings.toLocaleString('en')} {f.readings === 1 ? 'reading' : 'readings'} {FLAG_DESCRIPTIONS[f.kind]}
            </span>
            <code className="font-mono text-xs text-muted-foreground" title={f.fingerprint}>
              {f.fingerprint.slice(0, 16)}…
            </code>
            {f.devices.length ? (
              <span>
                on{' '}
                {f.devices.map((d, i) => (
                  <span key={d.id}>
                    {i ? ', ' : ''}
                    <Link href={`/readings/${d.id}`} className="underline underline-offset-2">
                      {d.name}
                    </Link>
                  </span>
                ))}
              </span>
            ) : (
              <span className="text-muted-foreground">linked to no device</span>
            )}
            {f.kind === 'shared' && f.owner ? <span className="text-muted-foreground">(belongs to {f.owner.name})</span> : null}
            <span className="text-muted-foreground">
              <LocalTime iso={f.first} /> – <LocalTime iso={f.last} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
