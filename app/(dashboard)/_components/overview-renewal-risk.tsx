import { CalendarClock, CircleCheck } from 'lucide-react';
import Link from 'next/link';
import type { SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { findAtRiskCount } from '@/lib/est/planner';

const int = new Intl.NumberFormat('en');

/** The Overview's line on renewals: how many certificates will expire before their device can renew, linked to the planner's list. */
export async function OverviewRenewalRisk({ user }: { user: SessionUser }) {
  const atRisk = await findAtRiskCount(db(), user);
  return (
    <section aria-label="Renewals at risk" className="flex items-center gap-2 rounded-lg border border-border bg-card px-4 py-3 text-sm">
      {atRisk ? <CalendarClock aria-hidden className="size-4 text-amber-600" /> : <CircleCheck aria-hidden className="size-4 text-emerald-600" />}
      {atRisk ? (
        <Link href="/est/planner#at-risk" className="font-medium text-primary hover:underline">
          {int.format(atRisk)} certificate{atRisk === 1 ? '' : 's'} at risk of expiring before renewal
        </Link>
      ) : (
        <span>
          No certificate at risk of expiring before renewal. <Link href="/est/planner">Renewal planner</Link>
        </span>
      )}
    </section>
  );
}

export function OverviewRenewalRiskSkeleton() {
  return <div className="h-12 animate-pulse rounded-lg border border-border bg-card" aria-busy aria-label="Loading renewals at risk" />;
}
