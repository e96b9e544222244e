import { Badge, type BadgeTone } from '@/components/ui/badge';
import { bandOf, bandUrgency, describeDaysLeft } from '@/lib/expiry/bands';
import type { CertificateStatus } from '@/lib/generated/prisma/enums';
import { CERTIFICATE_STATUS_LABELS } from '@/lib/validation/inventory-constants';

const STATUS_TONES: Record<CertificateStatus, BadgeTone> = {
  ACTIVE: 'success',
  PENDING_REVOCATION: 'warning',
  REVOKED: 'danger',
  PENDING_REACTIVATION: 'info',
};

/** A certificate's status as Cloudflare reports it. */
export function CertificateStatusBadge({ status }: { status: CertificateStatus }) {
  return (
    <Badge tone={STATUS_TONES[status]} data-status={status}>
      {CERTIFICATE_STATUS_LABELS[status]}
    </Badge>
  );
}

export const isLiveStatus = (status: CertificateStatus) => status === 'ACTIVE' || status === 'PENDING_REACTIVATION';

/**
 * Days left, coloured by expiry band. A revoked certificate has no days left whatever its notAfter
 * says: it shows a dash. One being revoked shows its days plain, in no band.
 */
export function ExpiryBadge({ daysLeft, thresholds, status }: { daysLeft: number; thresholds: readonly number[]; status: CertificateStatus }) {
  if (status === 'REVOKED') {
    return (
      <span className="text-xs text-muted-foreground" data-expiry="revoked" title="Revoked: the edge refuses it whatever its expiry date">
        <span aria-hidden>—</span>
        <span className="sr-only">none: revoked</span>
      </span>
    );
  }
  const text = describeDaysLeft(daysLeft);
  if (!isLiveStatus(status)) return <span className="text-xs text-muted-foreground">{text}</span>;
  const band = bandOf(daysLeft, thresholds);
  return (
    <Badge tone={bandUrgency(band, thresholds)} title={band.label} data-band={band.key}>
      {text}
    </Badge>
  );
}
