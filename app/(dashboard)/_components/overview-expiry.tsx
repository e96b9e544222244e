import { CalendarClock } from 'lucide-react';
import Link from 'next/link';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { cn } from '@/components/ui/cn';
import { EmptyState } from '@/components/ui/empty-state';
import type { SessionUser } from '@/lib/auth/errors';
import { countExpiryBands, getExpiryForecast } from '@/lib/data/expiry';
import { bandUrgency } from '@/lib/expiry/bands';
import { ExpiryForecastChart } from './overview-expiry-forecast';

const number = new Intl.NumberFormat('en');
const day = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });

const URGENCY_CLASSES = {
  danger: 'border-l-4 border-l-red-500',
  warning: 'border-l-4 border-l-amber-500',
  info: 'border-l-4 border-l-sky-500',
  neutral: '',
} as const;

/**
 * Overview: live certificates (and custom hostnames) per expiry band, each card linking to the
 * certificates it counts, and the weekly forecast for the next 12 months.
 */
export async function ExpiryOverview({ user }: { user: SessionUser }) {
  const [{ thresholds, bands }, weeks] = await Promise.all([countExpiryBands(user), getExpiryForecast(user)]);
  const total = weeks.reduce((sum, w) => sum + w.count, 0);
  const peak = weeks.reduce((best, w) => (w.count > best.count ? w : best), weeks[0] ?? { week: '', count: 0 });

  return (
    <section className="flex flex-col gap-4" aria-labelledby="expiry-heading">
      <h2 id="expiry-heading" className="text-lg font-semibold">
        Expiry
      </h2>
      <div className="grid gap-4 sm:grid-cols-3 lg:grid-cols-5">
        {bands.map((band) => (
          <Link key={band.key} href={`/certificates?band=${band.key}`} className="rounded-lg focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none">
            <Card className={cn('h-full transition-colors hover:bg-muted/40', URGENCY_CLASSES[bandUrgency(band, thresholds)])} data-testid={`expiry-band-${band.key}`}>
              <CardHeader className="pb-1">
                <CardTitle>{band.label}</CardTitle>
              </CardHeader>
              <CardContent>
                <p className="text-3xl font-semibold tracking-tight tabular-nums" data-testid="certificates">
                  {number.format(band.certificates)}
                </p>
                <p className="mt-1 text-xs text-muted-foreground">
                  certificates
                  {band.hostnames ? (
                    <>
                      {' '}
                      + <span data-testid="hostnames">{number.format(band.hostnames)}</span> custom {band.hostnames === 1 ? 'hostname' : 'hostnames'}
                    </>
                  ) : null}
                </p>
              </CardContent>
            </Card>
          </Link>
        ))}
      </div>
      <Card>
        <CardHeader>
          <h3 className="text-base font-semibold">Certificates expiring per week, next 12 months</h3>
          <p className="text-sm text-muted-foreground" data-testid="forecast-summary">
            {total
              ? `${number.format(total)} certificates expire in the next 12 months; the busiest week starts ${day.format(new Date(`${peak.week}T00:00:00Z`))} (${number.format(peak.count)}).`
              : 'No certificate expires in the next 12 months.'}
          </p>
        </CardHeader>
        <CardContent>
          {total ? (
            <>
              <ExpiryForecastChart weeks={weeks} />
              {/* sr-only on a <table> does not shrink it (tables ignore width/height/overflow): the 53 rows
                  made the page scroll ~1,300 px past its end. The wrapping div is what hides it. */}
              <div className="sr-only">
              <table aria-label="Certificates expiring per week" data-testid="forecast-table">
                <thead>
                  <tr>
                    <th>Week starting</th>
                    <th>Certificates</th>
                  </tr>
                </thead>
                <tbody>
                  {weeks.map((w) => (
                    <tr key={w.week}>
                      <td>{w.week}</td>
                      <td>{w.count}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              </div>
            </>
          ) : (
            <EmptyState icon={CalendarClock} title="Nothing expires within a year" className="py-8" />
          )}
        </CardContent>
      </Card>
    </section>
  );
}

export function ExpiryOverviewSkeleton() {
  return (
    <div className="flex animate-pulse flex-col gap-4" aria-busy aria-label="Loading expiry">
      <div className="h-6 w-24 rounded bg-muted" />
      <div className="grid gap-4 sm:grid-cols-3 lg:grid-cols-5">
        {Array.from({ length: 5 }, (_, i) => (
          <div key={i} className="h-28 rounded-lg border border-border bg-card" />
        ))}
      </div>
      <div className="h-72 rounded-lg border border-border bg-card" />
    </div>
  );
}
