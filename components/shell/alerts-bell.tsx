'use client';

import { Bell } from 'lucide-react';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect, useState } from 'react';
import { buttonClasses } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';

interface Counts {
  open: number;
  critical: number;
}

/**
 * The header's bell: how many alerts are open (nobody has acknowledged them), red when one is critical.
 * Starts from the server's count and asks again every 30 s, when the tab regains focus and on navigation.
 */
export function AlertsBell({ initial }: { initial: Counts }) {
  const [counts, setCounts] = useState(initial);
  const pathname = usePathname();

  useEffect(() => {
    let cancelled = false;
    const refresh = async () => {
      try {
        const res = await fetch('/api/alerts/summary', { cache: 'no-store' });
        if (res.ok && !cancelled) setCounts((await res.json()) as Counts);
      } catch {
        // Offline or signed out: keep the last count.
      }
    };
    void refresh();
    const timer = setInterval(refresh, 30_000);
    window.addEventListener('focus', refresh);
    return () => {
      cancelled = true;
      clearInterval(timer);
      window.removeEventListener('focus', refresh);
    };
  }, [pathname]);

  // The name holds what the badge shows ("99+" past 99), so what a person sees is what a voice user says (WCAG 2.5.3).
  const shown = counts.open > 99 ? `99+ (${counts.open})` : String(counts.open);
  const label = counts.open === 0 ? 'Alerts: none open' : `Alerts: ${shown} open${counts.critical ? `, ${counts.critical} critical` : ''}`;
  return (
    <Link href="/alerts" aria-label={label} title={label} data-testid="alerts-bell" data-open={counts.open} className={cn(buttonClasses({ variant: 'ghost', size: 'icon' }), 'relative')}>
      <Bell aria-hidden />
      {counts.open > 0 ? (
        <span
          aria-hidden
          className={cn(
            'absolute -top-0.5 -right-0.5 min-w-5 rounded-full px-1 text-center text-[11px] leading-5 font-semibold text-white',
            counts.critical ? 'bg-red-600' : 'bg-amber-600',
          )}
        >
          {counts.open > 99 ? '99+' : counts.open}
        </span>
      ) : null}
    </Link>
  );
}
