'use client';

import { LoaderCircle } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

/**
 * While something on the page is still settling at Cloudflare (a pending revocation, a proof at the
 * edge not made yet), re-renders the page every `everyMs`: each render asks Cloudflare again. Stops
 * by itself after `forMs`, so a forgotten tab does not poll forever.
 */
export function AutoRefresh({ active, everyMs = 2_000, forMs = 180_000, label }: { active: boolean; everyMs?: number; forMs?: number; label: string }) {
  const router = useRouter();
  const [expired, setExpired] = useState(false);

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => router.refresh(), everyMs);
    const stop = setTimeout(() => {
      clearInterval(timer);
      setExpired(true);
    }, forMs);
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [active, everyMs, forMs, router]);

  if (!active) return null;
  return (
    <p className="inline-flex items-center gap-1.5 text-xs text-muted-foreground" aria-live="polite">
      {expired ? (
        'Stopped checking; reload the page to check again.'
      ) : (
        <>
          <LoaderCircle aria-hidden className="size-3.5 animate-spin" />
          {label}
        </>
      )}
    </p>
  );
}
