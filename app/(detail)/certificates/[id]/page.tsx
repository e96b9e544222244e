import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { SectionCard } from '@/components/ui/card';
import { CopyButton } from '@/components/ui/copy-button';
import { PageHeader } from '@/components/ui/page-header';
import { Forbidden } from '@/components/shell/forbidden';
import { can } from '@/lib/auth/permissions';
import { requireUser } from '@/lib/auth/session';
import { findCertificateAuditTrail } from '@/lib/data/audit';
import { getCertificate } from '@/lib/data/certificates';
import { readExpiryThresholds } from '@/lib/data/expiry';
import { refreshCertificatesForView } from '@/lib/data/certificate-refresh';
import { getEdgeProofStates } from '@/lib/edge/proof';
import { colonHex } from '@/lib/pki/format';
import { REVOCATION_REASON_LABELS } from '@/lib/validation/inventory-constants';
import { AuditTrailCard } from '@/components/audit/audit-trail';
import { RefreshNotice } from '@/components/certificates/refresh-notice';
import { AutoRefresh } from '@/components/certificates/auto-refresh';
import { CertificateStatusBadge, ExpiryBadge, isLiveStatus } from '@/components/certificates/certificate-badges';
import { EdgeProofNotice } from '@/components/certificates/edge-proof';
import { formatDateTime } from '@/components/certificates/format';
import { RevokeDialog } from '@/components/certificates/revoke-dialog';
import { UndoRevocationButton } from '@/components/certificates/undo-revocation-button';

/** The tab says which certificate: "lab-07 · 4F2A… · certfleet", not "Certificate" on every tab. */
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const user = await requireUser();
  if (!can(user.role, 'certificate:view')) return { title: 'Certificate' };
  const cert = await getCertificate(user, (await params).id);
  if (!cert) return { title: 'Certificate not found' };
  const serial = cert.serialNumber.length > 12 ? `${cert.serialNumber.slice(0, 12)}…` : cert.serialNumber;
  return { title: `${cert.device?.name ? `${cert.device.name} · ` : ''}Certificate ${serial}` };
}

export default async function CertificatePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  if (!can(user.role, 'certificate:view')) return <Forbidden permission="certificate:view" />;
  const { id } = await params;
  // The status shown is Cloudflare's as of this view (and a new revocation is proved at the edge).
  const refresh = await refreshCertificatesForView(user, [id]);
  const cert = await getCertificate(user, id);
  if (!cert) notFound();
  const [thresholds, availability, trail] = await Promise.all([
    readExpiryThresholds(),
    getEdgeProofStates(user, [cert]).then(([state]) => state!.availability),
    can(user.role, 'audit:view') ? findCertificateAuditTrail(user, cert.id) : Promise.resolve([]),
  ]);
  const settling =
    cert.status === 'PENDING_REVOCATION' || cert.status === 'PENDING_REACTIVATION' || (cert.status === 'REVOKED' && !cert.edgeProof && availability.possible);
  const title = cert.device ? `${cert.device.name}` : `Certificate ${cert.serialNumber}`;

  return (
    <>
      <PageHeader
        title={title}
        description={
          <>
            Client certificate, serial <span className="font-mono">{cert.serialNumber}</span>
            {cert.device ? (
              <>
                {' '}
                of device{' '}
                <Link href={`/devices/${cert.device.id}`} className="text-primary underline underline-offset-2">
                  {cert.device.name}
                </Link>
              </>
            ) : (
              ' (not attached to a device)'
            )}
          </>
        }
        actions={
          <>
            {can(user.role, 'certificate:reactivate') && cert.status === 'PENDING_REVOCATION' ? <UndoRevocationButton certificateId={cert.id} /> : null}
            {can(user.role, 'certificate:revoke') ? (
              <RevokeDialog certificateIds={isLiveStatus(cert.status) ? [cert.id] : []} deviceCount={cert.device ? 1 : 0} hideWhenEmpty />
            ) : null}
          </>
        }
      />
      <div className="flex flex-col gap-4">
        <RefreshNotice errors={refresh.errors} />
        <div className="grid gap-4 lg:grid-cols-2">
          <SectionCard title="Status" contentClassName="flex flex-col gap-4">
            <div className="flex flex-wrap items-center gap-3" data-testid="certificate-status">
              <CertificateStatusBadge status={cert.status} />
              <ExpiryBadge daysLeft={cert.daysLeft} thresholds={thresholds} status={cert.status} />
              <AutoRefresh active={settling} label="Checking Cloudflare…" />
            </div>
            {cert.revokedAt ? (
              <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1.5 text-sm" aria-label="Revocation">
                <dt className="text-muted-foreground">Revoked by</dt>
                <dd>{cert.revokedByEmail ?? 'unknown'}</dd>
                <dt className="text-muted-foreground">Revoked at</dt>
                <dd>{formatDateTime(cert.revokedAt)}</dd>
                <dt className="text-muted-foreground">Reason</dt>
                <dd>
                  {cert.revocationReason ? REVOCATION_REASON_LABELS[cert.revocationReason] : <span className="text-muted-foreground">not recorded (revoked outside certfleet)</span>}
                  {cert.revocationNote ? <span className="text-muted-foreground"> — {cert.revocationNote}</span> : null}
                </dd>
              </dl>
            ) : null}
            <EdgeProofNotice status={cert.status} proof={cert.edgeProof} availability={availability} />
            <dl className="grid grid-cols-[8rem_1fr] gap-x-4 gap-y-1.5 text-sm">
              <dt className="text-muted-foreground">Issued</dt>
              <dd>{formatDateTime(cert.issuedOn)}</dd>
              <dt className="text-muted-foreground">Expires</dt>
              <dd>{formatDateTime(cert.expiresOn)}</dd>
              <dt className="text-muted-foreground">Validity</dt>
              <dd>{cert.validityDays} days</dd>
              <dt className="text-muted-foreground">Source</dt>
              <dd className="capitalize">{cert.source.toLowerCase()}</dd>
              {cert.supersededById ? (
                <>
                  <dt className="text-muted-foreground">Superseded by</dt>
                  <dd>
                    <Link href={`/certificates/${cert.supersededById}`} className="text-primary underline underline-offset-2">
                      the renewed certificate
                    </Link>
                    {cert.supersededAt ? ` on ${formatDateTime(cert.supersededAt)}` : null}
                  </dd>
                </>
              ) : null}
              {cert.missingAtCloudflareAt ? (
                <>
                  <dt className="text-muted-foreground">At Cloudflare</dt>
                  <dd className="text-destructive">not found since {formatDateTime(cert.missingAtCloudflareAt)}</dd>
                </>
              ) : null}
            </dl>
          </SectionCard>

          <SectionCard title="Identifiers">
            <dl className="flex flex-col gap-3 text-sm">
              <Identifier label="Serial number" plain={cert.serialNumber} colons={colonHex(cert.serialNumber)} />
              <Identifier label="Subject key identifier (SKI)" plain={cert.ski} colons={colonHex(cert.ski)} />
              <Identifier label="SHA-256 fingerprint" plain={cert.fingerprintSha256} colons={colonHex(cert.fingerprintSha256)} />
              <Identifier label="Cloudflare id" plain={cert.cloudflareId} />
              <div>
                <dt className="text-muted-foreground">Subject</dt>
                <dd>
                  CN={cert.commonName}
                  {cert.organization ? `, O=${cert.organization}` : ''}
                  {cert.organizationalUnit ? `, OU=${cert.organizationalUnit}` : ''}
                </dd>
              </div>
              <div>
                <dt className="text-muted-foreground">Key</dt>
                <dd>
                  {cert.keyType} {cert.keySize}
                </dd>
              </div>
            </dl>
          </SectionCard>
        </div>

        <SectionCard title="Certificate (PEM)" aside={<CopyButton text={cert.pem} label="certificate PEM" />}>
          <pre tabIndex={0} role="region" aria-label="Certificate PEM" className="max-h-72 overflow-auto rounded-md bg-muted p-3 font-mono text-xs focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none" data-testid="certificate-pem">
            {cert.pem}
          </pre>
        </SectionCard>

        {can(user.role, 'audit:view') ? <AuditTrailCard events={trail} moreHref={`/audit?target=${encodeURIComponent(cert.id)}`} /> : null}
      </div>
    </>
  );
}

/** One identifier in certfleet's form (no separators) and, where it applies, with colons as openssl prints it. */
function Identifier({ label, plain, colons }: { label: string; plain: string; colons?: string }) {
  return (
    <div>
      <dt className="text-muted-foreground">{label}</dt>
      <dd className="flex items-start gap-1">
        <span className="font-mono text-xs break-all">{plain}</span>
        <CopyButton text={plain} label={label} />
      </dd>
      {colons ? (
        <dd className="flex items-start gap-1">
          <span className="font-mono text-xs break-all text-muted-foreground">{colons}</span>
          <CopyButton text={colons} label={`${label} with colons`} />
        </dd>
      ) : null}
    </div>
  );
}
