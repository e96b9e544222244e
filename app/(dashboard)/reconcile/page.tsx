import { RefreshCcw } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { Forbidden } from '@/components/shell/forbidden';
import { Badge } from '@/components/ui/badge';
import { Card, CardContent, CardDescription, CardHeader } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { Table, TableBody, TableCell, TableRow } from '@/components/ui/table';
import { TableHeadings } from '@/components/ui/simple-table';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { estimatePacedSeconds } from '@/lib/cloudflare';
import type { ReconcileSummary } from '@/lib/data/reconcile';
import { getReconcileOverview, listAttachableDeviceNames } from '@/lib/data/reconcile-view';
import { AttachForm } from './_components/attach-form';
import { ReconcileNow } from './_components/reconcile-now';

export const metadata: Metadata = { title: 'Reconcile' };

const when = (iso: string | Date) => `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
const duration = (seconds: number) => (seconds < 90 ? `${Math.max(1, Math.round(seconds))} s` : `${Math.round(seconds / 60)} min`);

export default async function ReconcilePage() {
  const user = await requireUser();
  if (!can(user.role, 'certificate:reconcile')) return <Forbidden permission="certificate:reconcile" />;
  const [overview, deviceNames] = await Promise.all([getReconcileOverview(user), listAttachableDeviceNames(user)]);
  const { state, lastRun } = overview;
  const running = !!state?.running;

  return (
    <>
      <PageHeader
        title="Reconcile with Cloudflare"
        description="Compare every client certificate of the zone with certfleet's records: statuses changed outside certfleet, certificates issued outside it, and certificates Cloudflare no longer lists."
        actions={<ReconcileNow running={running} lastFinishedAt={lastRun?.finishedAt ?? null} />}
      />
      <div className="flex flex-col gap-6">
        <Card data-testid="reconcile-status">
          <CardHeader>
            <h2 className="flex items-center gap-2 text-base font-semibold">
              <RefreshCcw aria-hidden className="size-4" /> {running ? 'Running' : 'Last run'}
            </h2>
            <CardDescription>
              Cloudflare lists 50 certificates per request and allows 1,200 requests per 5 minutes; certfleet paces itself below that, so a pass over
              the zone takes about {duration(overview.estimatedSeconds)} now, and about{' '}
              {duration(estimatePacedSeconds(2000))} at 100,000 certificates — without ever being locked out. It also runs on a schedule.
            </CardDescription>
          </CardHeader>
          <CardContent>
            {running && state ? (
              <p className="text-sm" aria-live="polite">
                Started {when(state.startedAt)} by {state.actorEmail}: page {state.page}
                {state.totalPages ? ` of ${state.totalPages}` : ''}, {state.listed.toLocaleString('en')} certificates read
                {state.estimatedSecondsLeft ? `, about ${duration(state.estimatedSecondsLeft)} left` : ''}.
              </p>
            ) : lastRun ? (
              <LastRun run={lastRun} />
            ) : (
              <p className="text-sm text-muted-foreground">No reconcile has run yet.</p>
            )}
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <h2 className="text-base font-semibold">Untracked certificates ({overview.untrackedTotal})</h2>
            <CardDescription>Issued outside certfleet. Attach each to the device that holds its key, or revoke it from its page.</CardDescription>
          </CardHeader>
          <CardContent>
            {overview.untracked.length ? (
              <Table aria-label="Untracked certificates">
                <TableHeadings columns={['Common name', 'Serial', 'Status', 'Expires', 'Attach to device']} />
                <TableBody>
                  {overview.untracked.map((c) => (
                    <TableRow key={c.id} data-testid={`untracked-${c.serialNumber}`}>
                      <TableCell className="font-mono">{c.commonName}</TableCell>
                      <TableCell className="font-mono text-xs">
                        <Link href={`/certificates/${c.id}`} className="text-primary hover:underline">
                          {c.serialNumber}
                        </Link>
                      </TableCell>
                      <TableCell>
                        <Badge tone={c.status === 'ACTIVE' ? 'success' : 'danger'}>{c.status.toLowerCase().replace('_', ' ')}</Badge>
                      </TableCell>
                      <TableCell>{c.expiresOn.toISOString().slice(0, 10)}</TableCell>
                      <TableCell>
                        <AttachForm certificateId={c.id} listId="reconcile-device-names" />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : (
              <EmptyState title="Nothing untracked">Every certificate Cloudflare lists belongs to a device certfleet knows.</EmptyState>
            )}
            <datalist id="reconcile-device-names">
              {deviceNames.map((n) => (
                <option key={n} value={n} />
              ))}
            </datalist>
          </CardContent>
        </Card>

        <Card>
          <CardHeader>
            <h2 className="text-base font-semibold">Missing at Cloudflare ({overview.missingTotal})</h2>
            <CardDescription>certfleet has these certificates, but Cloudflare does not list them (confirmed by asking for each one).</CardDescription>
          </CardHeader>
          <CardContent>
            {overview.missing.length ? (
              <Table aria-label="Missing at Cloudflare">
                <TableHeadings columns={['Device', 'Common name', 'Serial', 'Noticed']} />
                <TableBody>
                  {overview.missing.map((c) => (
                    <TableRow key={c.id}>
                      <TableCell>
                        {c.deviceId ? (
                          <Link href={`/devices/${c.deviceId}`} className="text-primary hover:underline">
                            {c.deviceName}
                          </Link>
                        ) : (
                          '—'
                        )}
                      </TableCell>
                      <TableCell className="font-mono">{c.commonName}</TableCell>
                      <TableCell className="font-mono text-xs">{c.serialNumber}</TableCell>
                      <TableCell>{when(c.missingAtCloudflareAt)}</TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            ) : (
              <EmptyState title="Nothing missing">Cloudflare lists every certificate certfleet knows.</EmptyState>
            )}
          </CardContent>
        </Card>
      </div>
    </>
  );
}

function LastRun({ run }: { run: ReconcileSummary }) {
  return (
    <div className="flex flex-col gap-3 text-sm">
      <p>
        {when(run.finishedAt)} by {run.actorEmail}, {duration(run.durationMs / 1000)}.{' '}
        {run.complete ? <Badge tone="success">complete</Badge> : <Badge tone="danger">stopped early</Badge>}
      </p>
      {run.error ? <p className="text-destructive">{run.error}</p> : null}
      <dl className="grid grid-cols-2 gap-x-6 gap-y-1 sm:grid-cols-4">
        <Stat label="Certificates listed" value={run.listed} />
        <Stat label="Status changes" value={run.statusChanged} testId="stat-status" />
        <Stat label="Untracked found" value={run.untracked} testId="stat-untracked" />
        <Stat label="Missing at Cloudflare" value={run.missing} testId="stat-missing" />
        <Stat label="Lost issuances recorded" value={run.healed} />
        <Stat label="Pages" value={run.pages} />
        <Stat label="API requests" value={run.requests} />
        <Stat label="Rate-limited answers" value={run.rateLimited} />
      </dl>
      {run.statusChanges.length ? (
        <ul className="list-disc pl-5">
          {run.statusChanges.map((c) => (
            <li key={c.certificateId}>
              <Link href={`/certificates/${c.certificateId}`} className="text-primary hover:underline">
                {c.label}
              </Link>
              : {c.from.toLowerCase().replace('_', ' ')} → {c.to.toLowerCase().replace('_', ' ')}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

function Stat({ label, value, testId }: { label: string; value: number; testId?: string }) {
  return (
    <div className="flex flex-col">
      <dt className="text-muted-foreground">{label}</dt>
      <dd data-testid={testId} className="text-lg font-semibold tabular-nums">
        {value.toLocaleString('en')}
      </dd>
    </div>
  );
}
