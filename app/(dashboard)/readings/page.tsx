import { Download } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense } from 'react';
import { LazyFleetTemperatureChart } from '@/components/readings/lazy-charts';
import { AVERAGE_DASH, formatTemperature, SERIES_COLORS } from '@/components/charts/format';
import { RangePicker } from '@/components/charts/range-picker';
import { Forbidden } from '@/components/shell/forbidden';
import { Badge } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TableBody, TableCell, TableRow } from '@/components/ui/table';
import { TableHeadings } from '@/components/ui/simple-table';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { getFleetReadings } from '@/lib/data/readings';
import { formatBucketWidth } from '@/lib/readings/buckets';
import { HEALTH_DESCRIPTIONS, HEALTH_STATES } from '@/lib/readings/health';
import { parseChartRange, rangeToSearch } from '@/lib/readings/ranges';
import { MAX_SERIES, OUT_OF_LIMITS_SHOWN, parseFleetSelection, parseFleetTable } from '@/lib/readings/selection';
import { fleetChartRows } from '@/lib/readings/series';
import { FlagsSection, FlagsSkeleton } from '@/components/readings/flags-section';
import { HealthBadge, healthLabel } from '@/components/readings/health-badge';
import { FleetDevicesTable, limitsText, readingsHref, toSearchParams } from '@/components/readings/fleet-devices-table';
import { GroupLimitsDialog } from '@/components/readings/limits-dialogs';
import { PullNowButton } from '@/components/readings/pull-now-button';
import { RangeWarning } from '@/components/readings/range-warning';

export const metadata: Metadata = { title: 'Readings' };

type Search = Record<string, string | string[] | undefined>;

export default async function ReadingsPage({ searchParams }: { searchParams: Promise<Search> }) {
  const user = await requireUser();
  if (!can(user.role, 'readings:view')) return <Forbidden permission="readings:view" />;
  const search = await searchParams;
  const range = parseChartRange(search);
  const view = await getFleetReadings(parseFleetSelection(search), range, new Date(), { table: parseFleetTable(search) });
  const url = toSearchParams(search);
  const canEdit = can(user.role, 'thresholds:edit');

  const from = Date.parse(view.range.from);
  const to = Date.parse(view.range.to);
  const rows = fleetChartRows(view.series, view.average);
  const selectionLabel = view.selection.group ? `the ${view.selection.group} group` : `${view.selection.deviceIds.length} picked devices`;
  const csvParams = new URLSearchParams({ from: view.range.from, to: view.range.to });
  if (view.selection.group) csvParams.set('group', view.selection.group);
  else for (const id of view.selection.deviceIds) csvParams.append('device', id);
  const rangeEntries = rangeToSearch({ preset: range.preset, from: new Date(from), to: new Date(to) });
  const averageLabel = `Average of ${view.selection.group ?? 'selection'}`;
  // The plotted average's own extremes: lower and higher single readings are smoothed away by the buckets.
  const averages = view.average.map((b) => b.avg);
  const averageSpan = averages.length ? { min: Math.min(...averages), max: Math.max(...averages) } : { min: null, max: null };

  return (
    <>
      <PageHeader
        title="Readings"
        description="Temperatures the devices post through the mTLS-protected Worker, pulled every few seconds."
        actions={can(user.role, 'readings:pull') ? <PullNowButton /> : null}
      />
      {range.error ? <RangeWarning message={range.error} /> : null}

      <div className="flex flex-col gap-6">
        <section aria-label="Fleet health" className="grid grid-cols-2 gap-3 lg:grid-cols-4">
          {HEALTH_STATES.map((health) => (
            <Card key={health} data-testid={`health-${health}`}>
              <CardHeader className="pb-1">
                <CardTitle className="flex items-center justify-between">
                  {healthLabel(health)}
                  <HealthBadge health={health} />
                </CardTitle>
              </CardHeader>
              <CardContent>
                <p className="text-2xl font-semibold tabular-nums">
                  <Link href={`${readingsHref(url, { health, page: null })}#fleet-devices`} className="underline-offset-4 hover:underline" aria-label={`${view.healthCounts[health]} ${healthLabel(health).toLowerCase()}: list them`}>
                    {view.healthCounts[health].toLocaleString('en')}
                  </Link>
                </p>
                <p className="text-xs text-muted-foreground">{HEALTH_DESCRIPTIONS[health]}</p>
              </CardContent>
            </Card>
          ))}
        </section>

        <Suspense fallback={<FlagsSkeleton />}>
          <FlagsSection range={{ preset: range.preset, from: new Date(from), to: new Date(to) }} />
        </Suspense>

        <Card>
          <CardContent className="flex flex-col gap-4 pt-5">
            <div className="flex flex-wrap items-center justify-between gap-3">
              <RangePicker preset={range.preset} from={view.range.from} to={view.range.to} />
              <a href={`/api/readings/export?${csvParams}`} className={buttonClasses({ variant: 'outline', size: 'sm' })} download>
                <Download aria-hidden />
                Download CSV
              </a>
            </div>
            <SelectionForm view={view} rangeEntries={rangeEntries} />
            <p className="text-sm text-muted-foreground" data-testid="fleet-summary">
              {view.series.length} {view.series.length === 1 ? 'device' : 'devices'} of {selectionLabel}
              {view.selection.notDrawn ? ` (the first ${MAX_SERIES} drawn; the average covers all ${view.selection.deviceIds.length})` : ''}.{' '}
              {view.averageSummary.count ? (
                <>
                  Each line is an average per {formatBucketWidth(view.widthSeconds)}, so it stays inside the spread of single readings: the
                  average runs {formatTemperature(averageSpan.min)} to {formatTemperature(averageSpan.max)}, single readings{' '}
                  {formatTemperature(view.averageSummary.min)} (lowest) to {formatTemperature(view.averageSummary.max)} (highest) over{' '}
                  {view.averageSummary.count.toLocaleString('en')} readings. A device&apos;s own chart shows its min–max band.
                </>
              ) : null}
            </p>
            <FleetLegend drawn={view.selection.drawn} averageLabel={averageLabel} rangeEntries={rangeEntries} />
            {view.averageSummary.count ? (
              <LazyFleetTemperatureChart
                rows={rows}
                series={view.selection.drawn}
                averageLabel={averageLabel}
                widthSeconds={view.widthSeconds}
                from={from}
                to={to}
              />
            ) : (
              <p className="rounded-md border border-dashed border-border px-4 py-16 text-center text-sm text-muted-foreground">
                No readings from {selectionLabel} in this range.
              </p>
            )}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Outside their limits now</CardTitle>
            <CardDescription>
              Devices still reporting (live or late) whose latest reading is below their minimum or above their maximum
              {view.outOfLimitsTotal > view.outOfLimits.length ? `: the first ${OUT_OF_LIMITS_SHOWN} of ${view.outOfLimitsTotal.toLocaleString('en')}, by group and name` : ''}.
            </CardDescription>
          </CardHeader>
          <CardContent>
            {view.outOfLimits.length ? (
              <ul className="flex flex-col gap-1.5 text-sm" data-testid="out-of-limits">
                {view.outOfLimits.map((d) => (
                  <li key={d.id} className="flex flex-wrap items-baseline gap-2">
                    <Link href={`/readings/${d.id}`} className="font-medium underline underline-offset-2">
                      {d.name}
                    </Link>
                    <Badge tone="danger">{d.latest!.state === 'above' ? 'above max' : 'below min'}</Badge>
                    <span className="tabular-nums">{formatTemperature(d.latest!.temperature)}</span>
                    <span className="text-muted-foreground">limits {limitsText(d.limits)}</span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-muted-foreground">Every reporting device is within its limits.</p>
            )}
          </CardContent>
        </Card>

        <Card id="fleet-devices">
          <CardHeader>
            <CardTitle>Devices</CardTitle>
            <CardDescription>
              Health from each device&apos;s expected reporting interval: live within 2×, late within 10×, missing within 24 h, silent beyond (or never).
              Tick devices and draw them to compare them on the chart above.
              {canEdit ? '' : ' Only an admin changes limits and intervals.'}
            </CardDescription>
          </CardHeader>
          <CardContent>
            <FleetDevicesTable view={view} search={url} canEdit={canEdit} />
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <CardTitle>Group defaults</CardTitle>
            <CardDescription>A device without limits of its own uses its group&apos;s, bound by bound.</CardDescription>
          </CardHeader>
          <CardContent>
            <Table>
              <TableHeadings columns={['Group', { label: 'Devices', align: 'end' }, { label: 'Default min', align: 'end' }, { label: 'Default max', align: 'end' }, ...(canEdit ? [{ label: 'Change', align: 'end' } as const] : [])]} />
              <TableBody>
                {view.groups.map((g) => (
                  <TableRow key={g.name}>
                    <TableCell className="font-medium">{g.name}</TableCell>
                    <TableCell className="text-right tabular-nums">{g.devices}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatTemperature(g.limits?.min, 1)}</TableCell>
                    <TableCell className="text-right tabular-nums">{formatTemperature(g.limits?.max, 1)}</TableCell>
                    {canEdit ? (
                      <TableCell className="text-right">
                        <GroupLimitsDialog group={g.name} limits={g.limits} />
                      </TableCell>
                    ) : null}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </CardContent>
        </Card>
      </div>
    </>
  );
}

/**
 * The fleet chart's one legend: each drawn device's colour, linked to its own chart, and the average's dash.
 * A list rather than recharts' legend so it wraps under the chart's width instead of eating its height.
 */
function FleetLegend({ drawn, averageLabel, rangeEntries }: { drawn: { id: string; name: string }[]; averageLabel: string; rangeEntries: Record<string, string> }) {
  return (
    <ul className="flex flex-wrap items-center gap-x-3 gap-y-1 text-xs" aria-label="Drawn devices" data-testid="fleet-legend">
      {drawn.map((d, i) => (
        <li key={d.id} className="flex items-center gap-1">
          <svg aria-hidden width="14" height="8" className="shrink-0">
            <line x1="0" y1="4" x2="14" y2="4" stroke={SERIES_COLORS[i % SERIES_COLORS.length]} strokeWidth="2.5" strokeLinecap="round" />
          </svg>
          <Link href={`/readings/${d.id}?${new URLSearchParams(rangeEntries)}`} className="underline-offset-2 hover:underline">
            {d.name}
          </Link>
        </li>
      ))}
      <li className="flex items-center gap-1 font-medium">
        <svg aria-hidden width="22" height="8" className="shrink-0 text-foreground">
          <line x1="0" y1="4" x2="22" y2="4" stroke="currentColor" strokeWidth="2.5" strokeDasharray={AVERAGE_DASH} />
        </svg>
        {averageLabel}
      </li>
    </ul>
  );
}

/** A plain GET form: the selection lands in the URL (`group=` or `device=`…) next to the range. */
function SelectionForm({ view, rangeEntries }: { view: Awaited<ReturnType<typeof getFleetReadings>>; rangeEntries: Record<string, string> }) {
  return (
    <div className="flex flex-wrap items-start gap-3">
      <form method="get" className="flex items-center gap-2" aria-label="Draw a group">
        {Object.entries(rangeEntries).map(([key, value]) => (
          <input key={key} type="hidden" name={key} value={value} />
        ))}
        <label htmlFor="fleet-group" className="text-sm font-medium">
          Group
        </label>
        <select
          id="fleet-group"
          name="group"
          defaultValue={view.selection.group ?? ''}
          className="h-8 rounded-md border border-border bg-background px-2 text-sm"
        >
          {view.selection.group ? null : <option value="">(picked devices)</option>}
          {view.groups.map((g) => (
            <option key={g.name} value={g.name}>
              {g.name} ({g.devices})
            </option>
          ))}
        </select>
        <button type="submit" className={buttonClasses({ variant: 'outline', size: 'sm' })}>
          Show
        </button>
      </form>
    </div>
  );
}
