'use client';

import { formatDateTime } from '@/components/charts/format';
import { useIsClient } from '@/components/charts/use-is-client';

/** A timestamp in the viewer's time zone; the server renders UTC, the browser swaps in local time. */
export function LocalTime({ iso, relative = false }: { iso: string | null; relative?: boolean }) {
  const isClient = useIsClient();
  if (!iso) return <span>never</span>;
  const text = isClient ? (relative ? `${ago(iso)} (${formatDateTime(iso)})` : formatDateTime(iso)) : `${iso.slice(0, 19).replace('T', ' ')} UTC`;
  return (
    <time dateTime={iso} title={iso}>
      {text}
    </time>
  );
}

function ago(iso: string): string {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (seconds < 90) return `${seconds} s ago`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 36 * 3600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}
