'use client';

import dynamic from 'next/dynamic';
import type { ForecastWeek } from '@/lib/data/expiry';

// recharts is loaded after the page (with a placeholder of the chart's size), not in the Overview's first load.
const ExpiryForecastBars = dynamic(() => import('./overview-expiry-forecast-bars').then((m) => m.ExpiryForecastBars), {
  ssr: false,
  loading: () => <div className="h-full w-full animate-pulse rounded-md bg-muted" aria-hidden />,
});

/** Certificates expiring per week for the next 12 months (weeks from the server, counted in SQL). */
export function ExpiryForecastChart({ weeks }: { weeks: ForecastWeek[] }) {
  return (
    <div className="h-56 w-full text-primary" data-testid="expiry-forecast" role="img" aria-label="Bar chart of certificates expiring per week over the next 12 months">
      <ExpiryForecastBars weeks={weeks} />
    </div>
  );
}
