import { getReadingFlags } from '@/lib/data/readings';
import type { ChartRange } from '@/lib/readings/ranges';
import { FlagsList } from './flags-list';

/** Streams in after the charts: it scans every reading of the range (lib/readings/flags.ts). */
export async function FlagsSection({ range, deviceId }: { range: ChartRange; deviceId?: string }) {
  const flags = await getReadingFlags(range, { deviceId });
  return <FlagsList flags={flags} />;
}

export function FlagsSkeleton() {
  return (
    <p role="status" className="rounded-lg border border-dashed border-border px-4 py-3 text-sm text-muted-foreground" data-testid="flags-loading">
      Checking this range for readings that should not exist…
    </p>
  );
}
