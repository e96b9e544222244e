import { ShieldAlert, ShieldCheck, ShieldQuestion } from 'lucide-react';
import type { EdgeProof } from '@/lib/data/certificates';
import type { CertificateStatus } from '@/lib/generated/prisma/enums';
import { formatDateTime, formatDuration } from './format';

/** The API Shield rule that refuses a revoked certificate. @see https://developers.cloudflare.com/api-shield/security/mtls/configure/ */
const RULE = '(http.host in {…}) and (not cf.tls_client_auth.cert_verified or cf.tls_client_auth.cert_revoked)';

/**
 * What certfleet knows about this certificate at the edge: the recorded proof (the device's own
 * request refused, and how long after the revocation), or why there is none yet.
 */
export function EdgeProofNotice({
  status,
  proof,
  availability,
}: {
  status: CertificateStatus;
  proof: EdgeProof | null;
  /** From lib/edge/proof `edgeProofAvailability` (only the verdict, never the key). */
  availability: { possible: true } | { possible: false; reason: 'no-edge' | 'no-key' };
}) {
  if (status !== 'PENDING_REVOCATION' && status !== 'REVOKED') return null;

  if (proof?.outcome === 'refused') {
    return (
      <div className="flex items-start gap-2 rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-100" data-testid="edge-proof">
        <ShieldCheck aria-hidden className="mt-0.5 size-4 shrink-0" />
        <p>
          <strong>
            Refused at the edge ({proof.status}) {formatDuration(proof.elapsedMs)} after revocation.
          </strong>{' '}
          The device&apos;s own request (a TLS handshake presenting this certificate, then <code>POST /temps</code>) was answered {proof.status}
          {proof.layer ? ` by the ${proof.layer}` : ''} at {formatDateTime(proof.at)}.
        </p>
      </div>
    );
  }
  if (proof?.outcome === 'accepted') {
    return (
      <div className="flex items-start gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900 dark:border-red-900 dark:bg-red-950 dark:text-red-100" data-testid="edge-proof">
        <ShieldAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
        <p>
          <strong>The edge still accepted this certificate ({proof.status})</strong> {formatDuration(proof.elapsedMs)} after Cloudflare reported it revoked.
          Check that the hostname requires client certificates (mTLS rule: <code className="break-all">{RULE}</code>).
        </p>
      </div>
    );
  }

  const why = !availability.possible
    ? availability.reason === 'no-edge'
      ? 'No edge to test against is configured here (CERTFLEET_EDGE_URL is set only with the local Cloudflare).'
      : 'The proof needs the device’s private key, which certfleet does not hold for this certificate.'
    : status === 'PENDING_REVOCATION'
      ? 'Once Cloudflare completes the revocation, certfleet makes the device’s own request at the edge and records the answer here.'
      : 'Making the device’s request at the edge…';
  return (
    <div className="flex items-start gap-2 rounded-md border border-border bg-muted/50 px-3 py-2 text-sm" data-testid="edge-proof">
      <ShieldQuestion aria-hidden className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
      <p>
        {status === 'REVOKED' ? 'Cloudflare reports this certificate revoked' : 'Cloudflare is revoking this certificate'}: the edge refuses it under the mTLS rule{' '}
        <code className="break-all">{RULE}</code>. {why}
      </p>
    </div>
  );
}
