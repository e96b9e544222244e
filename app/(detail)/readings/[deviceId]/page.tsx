import { ArrowLeft, Download } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { notFound } from 'next/navigation';
import { LazyDeviceTemperatureChart } from '@/components/readings/lazy-charts';
import { formatTemperature, LIMIT_COLOR, MARKER_COLORS } from '@/components/charts/format';
import { RangePicker } from '@/components/charts/range-picker';
import { Forbidden } from '@/components/shell/forbidden';
import { buttonClasses } from '@/components/ui/button';
import { Card, CardContent } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getDeviceReadings } from '@/lib/data/readings';
import { formatBucketWidth } from '@/lib/readings/buckets';
import { parseChartRange } from '@/lib/readings/ranges';
import { deviceChartRows, gapThresholdMs } from '@/lib/readings/series';
import { FlagsSection, FlagsSkeleton } from '@/components/readings/flags-section';
import { HealthBadge } from '@/components/readings/health-badge';
import { DeviceLimitsDialog } from '@/components/readings/limits-dialogs';
import { LocalTime } from '@/components/readings/local-time';
import { PullNowButton } from '@/components/readings/pull-now-button';
import { RangeWarning } from '@/components/readings/range-warning';

export const metadata: Metadata = { title: 'Device readings' };

type Search = Record<string, string | string[] | undefined>;

export default async function DeviceReadingsPage({ params, searchParams }: { params: Promise<{ deviceId: string }>; searchParams: Promise<Search> }) {
  const user = await requireUser();
  if (!can(user.role, 'readings:view')) return <Forbidden permission="readings:view" />;
  const [{ deviceId }, search] = await Promise.all([params, searchParams]);
  const range = parseChartRange(search);
  const view = await getDeviceReadings(deviceId, range);
  if (!view) notFound();

  const { device, limits, summary } = view;
  const from = Date.parse(view.range.from);
  const to = Date.parse(view.range.to);
  const rows = deviceChartRows(view.points, view.widthSeconds, gapThresholdMs(view.widthSeconds, device.reportIntervalSec));
  // The resolved instants, not the preset: the file holds exactly the range the chart shows.
  const csvHref = `/api/readings/export?${new URLSearchParams({ device: device.id, from: view.range.from, to: view.range.to })}`;
  const limitText = (value: number | null, source: string | null) => (value === null ? 'none' : `${value} °C${source === 'group' ? ' (group default)' : ''}`);

  return (
    <>
      <Link href="/readings" className="mb-3 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground">
        <ArrowLeft aria-hidden className="size-4" /> Fleet readings
      </Link>
      <PageHeader
        title={device.name}
        description={
          <span className="inline-flex flex-wrap items-center gap-2">
            <HealthBadge health={device.health} />
            <span>
              {device.group} · reports every {device.reportIntervalSec} s · last seen <LocalTime iso={device.lastSeenAt} relative /> ·{' '}
              <Link href={`/devices/${device.id}`} className="underline underline-offset-2">
                device and certificates
              </Link>
            </span>
          </span>
        }
        actions={
          <>
            {can(user.role, 'readings:pull') ? <PullNowButton /> : null}
            {can(user.role, 'thresholds:edit') ? (
              <DeviceLimitsDialog
                deviceId={device.id}
                deviceName={device.name}
                minTemperature={device.minTemperature}
                maxTemperature={device.maxTemperature}
                reportIntervalSec={device.reportIntervalSec}
                groupLimits={view.groupLimits}
              />
            ) : null}
          </>
        }
      />
      {range.error ? (
        <RangeWarning message={range.error} />
      ) : null}

      <div className="flex flex-col gap-4">
        <Suspense fallback={<FlagsSkeleton />}>
          <FlagsSection range={{ preset: range.preset, from: new Date(view.range.from), to: new Date(view.range.to) }} deviceId={device.id} />
        </Suspense>
        <Card>
          <CardContent className="flex flex-col gap-4 pt-5">
            <div className="flex flex-wrap items-center justify-between gap-3">
              <RangePicker preset={range.preset} from={view.range.from} to={view.range.to} />
              <a href={csvHref} className={buttonClasses({ variant: 'outline', size: 'sm' })} download>
                <Download aria-hidden />
                Download CSV
              </a>
            </div>
            <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-3 lg:grid-cols-6" data-testid="range-summary">
              <Stat label="Min" value={formatTemperature(summary.min)} testId="summary-min" />
              <Stat label="Average" value={formatTemperature(summary.avg)} />
              <Stat label="Max" value={formatTemperature(summary.max)} testId="summary-max" />
              <Stat label="Readings" value={summary.count.toLocaleString('en')} testId="summary-count" />
              <Stat label="Bucket" value={`${formatBucketWidth(view.widthSeconds)} · ${view.points.length} points`} />
              <Stat
                label="Limits"
                value={
                  limits.min === null && limits.max === null
                    ? 'None set'
                    : limits.min === null
                      ? `At most ${limitText(limits.max, limits.maxSource)}`
                      : limits.max === null
                        ? `At least ${limitText(limits.min, limits.minSource)}`
                        : `${limitText(limits.min, limits.minSource)} – ${limitText(limits.max, limits.maxSource)}`
                }
              />
            </dl>
            {summary.count ? (
              <LazyDeviceTemperatureChart rows={rows} widthSeconds={view.widthSeconds} from={from} to={to} limits={limits} markers={view.markers} />
            ) : (
              <p className="rounded-md border border-dashed border-border px-4 py-16 text-center text-sm text-muted-foreground">
                No readings from {device.name} in this range.{' '}
                {device.lastSeenAt ? (
                  <>
                    It last reported <LocalTime iso={device.lastSeenAt} relative />.
                  </>
                ) : (
                  'It has never reported.'
                )}
              </p>
            )}
            <ul className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-muted-foreground" aria-label="Chart key">
              <li>
                <span aria-hidden className="mr-1 inline-block h-0.5 w-4 align-middle" style={{ borderTop: `2px dashed ${LIMIT_COLOR}` }} />
                limits
              </li>
              {(['issued', 'rotated', 'revoked'] as const).map((kind) => (
                <li key={kind}>
                  <span aria-hidden className="mr-1 inline-block h-3 align-middle" style={{ borderLeft: `2px dotted ${MARKER_COLORS[kind]}` }} />
                  certificate {kind}
                </li>
              ))}
            </ul>
            {view.latest ? (
              <p className="text-sm" data-testid="latest-reading">
                Latest reading: <strong className="tabular-nums">{formatTemperature(view.latest.temperature)}</strong> at <LocalTime iso={view.latest.time} />
                {view.latest.state === 'within' ? (limits.min === null && limits.max === null ? ' — no limits are set.' : ' — within its limits.') : ` — ${view.latest.state} its ${view.latest.state === 'above' ? 'maximum' : 'minimum'}.`}
              </p>
            ) : null}
          </CardContent>
        </Card>
      </div>
    </>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="font-medium tabular-nums" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
