import { parseCertificate, parseCsr } from '@/lib/pki';
import { sha256Hex } from '@/lib/pki/crypto';
import type { ClientCertificate } from '@/lib/cloudflare';
import type { CertificateSource, CertificateStatus, Prisma } from '@/lib/generated/prisma/client';

/** What certfleet keeps of a certificate lib/cloudflare returned. */
export type CloudflareClientCertificate = Pick<ClientCertificate, 'id' | 'certificatePem' | 'csrPem' | 'status' | 'validityDays'>;

const STATUS: Record<string, CertificateStatus> = {
  active: 'ACTIVE',
  pending_revocation: 'PENDING_REVOCATION',
  revoked: 'REVOKED',
  pending_reactivation: 'PENDING_REACTIVATION',
};

/** Cloudflare's status string as certfleet's enum; unknown values are an error, never a guess. */
export function certificateStatusFromCloudflare(status: string | null | undefined): CertificateStatus {
  const mapped = STATUS[status ?? 'active'];
  if (!mapped) throw new Error(`Cloudflare reported an unknown certificate status "${status}"`);
  return mapped;
}

/**
 * SHA-256 of a CSR's DER, the key that ties an issuance intent to the certificate Cloudflare made
 * from it (Cloudflare echoes the CSR back, with other line endings, so the PEM text cannot be compared).
 */
export async function csrDigest(csrPem: string): Promise<string> {
  const csr = await parseCsr(csrPem, { strict: false });
  return sha256Hex(csr.der);
}

/**
 * Stores (or refreshes) a certificate Cloudflare issued, with the identifiers parsed from the PEM
 * itself rather than trusted from the API: serial, SKI, fingerprint and validity are what the edge
 * will see. Idempotent by Cloudflare id, so a retried or healed write never makes a second row.
 */
export async function recordIssuedCertificate(
  tx: Prisma.TransactionClient,
  cf: CloudflareClientCertificate,
  opts: { deviceId: string | null; source: CertificateSource },
) {
  const cert = await parseCertificate(cf.certificatePem);
  if (!cert.ski) throw new Error(`Cloudflare certificate ${cf.id} has no subject key identifier`);
  const csrPem = cf.csrPem ? (await parseCsr(cf.csrPem, { strict: false })).pem : '';
  const data = {
    serialNumber: cert.serialNumber,
    ski: cert.ski,
    fingerprintSha256: cert.fingerprintSha256,
    commonName: cert.subject.CN ?? '',
    organization: cert.subject.O ?? null,
    organizationalUnit: cert.subject.OU ?? null,
    country: cert.subject.C ?? null,
    state: cert.subject.ST ?? null,
    locality: cert.subject.L ?? null,
    keyType: cert.keyType,
    keySize: cert.keySize,
    issuedOn: cert.notBefore,
    expiresOn: cert.notAfter,
    validityDays: cf.validityDays || Math.round((cert.notAfter.getTime() - cert.notBefore.getTime()) / 86_400_000),
    status: certificateStatusFromCloudflare(cf.status),
    pem: cert.pem,
    csr: csrPem,
  };
  return tx.certificate.upsert({
    where: { cloudflareId: cf.id },
    create: { cloudflareId: cf.id, deviceId: opts.deviceId, source: opts.source, ...data },
    update: { status: data.status, missingAtCloudflareAt: null },
  });
}
