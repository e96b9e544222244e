import { RefreshCw, Thermometer } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Forbidden } from '@/components/shell/forbidden';
import { Badge } from '@/components/ui/badge';
import { buttonClasses } from '@/components/ui/button';
import { SectionCard } from '@/components/ui/card';
import { EmptyState } from '@/components/ui/empty-state';
import { PageHeader } from '@/components/ui/page-header';
import { SimpleTable } from '@/components/ui/simple-table';
import { TableCell, TableRow } from '@/components/ui/table';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { findDeviceAuditTrail } from '@/lib/data/audit';
import { getDevice, getDeviceSparkline, getLatestDeviceReading } from '@/lib/data/devices';
import { readExpiryThresholds } from '@/lib/data/expiry';
import { refreshDeviceForView } from '@/lib/data/certificate-refresh';
import { getEdgeProofStates } from '@/lib/edge/proof';
import { REVOCATION_REASON_LABELS } from '@/lib/validation/inventory-constants';
import { AuditTrailCard } from '@/components/audit/audit-trail';
import { RefreshNotice } from '@/components/certificates/refresh-notice';
import { AutoRefresh } from '@/components/certificates/auto-refresh';
import { CertificateStatusBadge, ExpiryBadge, isLiveStatus } from '@/components/certificates/certificate-badges';
import { EdgeProofNotice } from '@/components/certificates/edge-proof';
import { formatAgo, formatDate, formatDateTime } from '@/components/certificates/format';
import { RevokeDialog } from '@/components/certificates/revoke-dialog';
import { UndoRevocationButton } from '@/components/certificates/undo-revocation-button';
import { LazyReadingsSparkline } from '@/components/readings/lazy-charts';

/** The tab names the device ("cold-storage-02 · certfleet"), not "Device" on every tab. */
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const user = await requireUser();
  if (!can(user.role, 'device:view')) return { title: 'Device' };
  const device = await getDevice(user, (await params).id, new Date());
  return { title: device ? device.name : 'Device not found' };
}

export default async function DevicePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  if (!can(user.role, 'device:view')) return <Forbidden permission="device:view" />;
  const { id } = await params;
  // Every certificate shown is Cloudflare's status as of this view; new revocations get proved at the edge.
  const refresh = await refreshDeviceForView(user, id);
  const now = new Date();
  const device = await getDevice(user, id, now);
  if (!device) notFound();
  const [thresholds, sparkline, latestReading, trail, edge] = await Promise.all([
    readExpiryThresholds(),
    can(user.role, 'readings:view') ? getDeviceSparkline(user, device.id, now) : Promise.resolve(null),
    can(user.role, 'readings:view') ? getLatestDeviceReading(user, device.id) : Promise.resolve(null),
    can(user.role, 'audit:view') ? findDeviceAuditTrail(user, device.id, device.certificates.map((c) => c.id)) : Promise.resolve(null),
    getEdgeProofStates(
      user,
      device.certificates.filter((c) => c.status === 'PENDING_REVOCATION' || c.status === 'REVOKED').slice(0, 5),
    ),
  ]);
  const edgeById = new Map(edge.map((e) => [e.certificateId, e]));
  const live = device.certificates.filter((c) => isLiveStatus(c.status));
  const settling = device.certificates.some(
    (c) => c.status === 'PENDING_REVOCATION' || c.status === 'PENDING_REACTIVATION' || (c.status === 'REVOKED' && edgeById.get(c.id)?.availability.possible && !edgeById.get(c.id)?.proof),
  );
  const canRevoke = can(user.role, 'certificate:revoke');
  const canUndo = can(user.role, 'certificate:reactivate');

  return (
    <>
      <PageHeader
        title={device.name}
        description={
          <>
            {device.group} · CN {device.commonName}
          </>
        }
        actions={
          <>
            {can(user.role, 'certificate:issue') ? (
              <Link href={`/devices/${device.id}/renew`} className={buttonClasses({ variant: 'outline' })}>
                <RefreshCw aria-hidden />
                Renew
              </Link>
            ) : null}
            {canRevoke ? (
              <RevokeDialog
                certificateIds={live.map((c) => c.id)}
                deviceCount={1}
                triggerLabel={live.length > 1 ? `Revoke ${live.length} certificates` : 'Revoke'}
                hideWhenEmpty
              />
            ) : null}
          </>
        }
      />
      <div className="flex flex-col gap-4">
        <RefreshNotice errors={refresh.errors} />
        <div className="grid gap-4 lg:grid-cols-3">
          <SectionCard title="Details">
            <dl className="grid grid-cols-[7rem_1fr] gap-x-3 gap-y-1.5 text-sm">
              <dt className="text-muted-foreground">Status</dt>
              <dd>
                <Badge tone={device.status === 'ACTIVE' ? 'success' : 'neutral'}>{device.status.toLowerCase()}</Badge>
              </dd>
              <dt className="text-muted-foreground">Group</dt>
              <dd>{device.group}</dd>
              <dt className="text-muted-foreground">Tags</dt>
              <dd className="flex flex-wrap gap-1">{device.tags.length ? device.tags.map((t) => <Badge key={t}>{t}</Badge>) : <span className="text-muted-foreground">none</span>}</dd>
              <dt className="text-muted-foreground">Last seen</dt>
              <dd>
                {device.lastSeenAt ? (
                  <time dateTime={device.lastSeenAt.toISOString()} title={formatDateTime(device.lastSeenAt)}>
                    {formatAgo(device.lastSeenAt, now)}
                  </time>
                ) : (
                  <span className="text-muted-foreground">never</span>
                )}
              </dd>
              <dt className="text-muted-foreground">Reports every</dt>
              <dd>{device.reportIntervalSec} s</dd>
              <dt className="text-muted-foreground">Enrolled</dt>
              <dd>{formatDate(device.createdAt)}</dd>
            </dl>
          </SectionCard>
          <SectionCard title="Temperature" className="lg:col-span-2">
            {sparkline === null ? (
              <p className="text-sm text-muted-foreground">Your role does not include readings.</p>
            ) : sparkline.length ? (
              <LazyReadingsSparkline points={sparkline} latest={latestReading} min={device.minTemperature} max={device.maxTemperature} now={now.getTime()} />
            ) : (
              <EmptyState icon={Thermometer} title="No readings in the last 24 hours" className="py-6" />
            )}
          </SectionCard>
        </div>

        <SectionCard title="Certificates" aside={<AutoRefresh active={settling} label="Checking Cloudflare…" />} contentClassName="flex flex-col gap-3">
          {device.certificates.length === 0 ? (
            <p className="text-sm text-muted-foreground">This device has no certificate yet.</p>
          ) : (
            <SimpleTable label="Certificates of this device" columns={['Serial', 'Status', 'Expires', 'Issued', 'Revocation']}>
              {device.certificates.map((c) => (
                <TableRow key={c.id} data-certificate-id={c.id}>
                  <TableCell>
                    <Link href={`/certificates/${c.id}`} className="font-mono text-xs text-primary hover:underline">
                      {c.serialNumber}
                    </Link>
                    {isLiveStatus(c.status) && c.id === live[0]?.id ? <span className="ml-2 text-xs text-muted-foreground">current</span> : null}
                  </TableCell>
                  <TableCell>
                    <CertificateStatusBadge status={c.status} />
                  </TableCell>
                  <TableCell>
                    <ExpiryBadge daysLeft={c.daysLeft} thresholds={thresholds} status={c.status} />
                  </TableCell>
                  <TableCell>{formatDate(c.issuedOn)}</TableCell>
                  <TableCell className="text-sm">
                    {c.revokedAt ? (
                      <span>
                        {formatDateTime(c.revokedAt)} by {c.revokedByEmail ?? 'unknown'}
                        {c.revocationReason ? ` · ${REVOCATION_REASON_LABELS[c.revocationReason]}` : ''}
                        {c.revocationNote ? ` — ${c.revocationNote}` : ''}
                      </span>
                    ) : c.supersededAt ? (
                      <span className="text-muted-foreground">superseded {formatDate(c.supersededAt)}</span>
                    ) : (
                      <span className="text-muted-foreground">—</span>
                    )}
                    {canUndo && c.status === 'PENDING_REVOCATION' ? (
                      <div className="mt-1.5">
                        <UndoRevocationButton certificateId={c.id} label={c.serialNumber} size="sm" />
                      </div>
                    ) : null}
                  </TableCell>
                </TableRow>
              ))}
            </SimpleTable>
          )}
          {edge.map((e) => {
            const cert = device.certificates.find((c) => c.id === e.certificateId)!;
            return (
              <div key={e.certificateId} className="flex flex-col gap-1">
                <p className="font-mono text-xs text-muted-foreground">{cert.serialNumber}</p>
                <EdgeProofNotice status={cert.status} proof={e.proof} availability={e.availability} />
              </div>
            );
          })}
        </SectionCard>

        {trail ? <AuditTrailCard events={trail} moreHref={`/audit?target=${encodeURIComponent(device.name)}`} /> : null}
      </div>
    </>
  );
}
