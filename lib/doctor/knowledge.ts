import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { getClientCertificate, iterateClientCertificates, isCloudflareError } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { readMtlsConfig } from '@/lib/mtls/config';
import { readMtlsHostStates } from '@/lib/mtls/state';
import { parseCertificate, type ParsedCertificate } from '@/lib/pki';
import { x509 } from '@/lib/pki/crypto';
import type { DoctorKnowledge } from './types';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/** "Issued by this zone's CA": the AKI names the CA's key and the CA's key verifies the signature. */
async function zoneCaVerdict(cert: ParsedCertificate): Promise<DoctorKnowledge['zoneCa']> {
  const config = readMtlsConfig();
  if (!config.zoneCaPem) {
    return { configured: false, problem: config.problems.find((p) => p.includes('ZONE_CA')) ?? "CERTFLEET_ZONE_CA_FILE (the zone's managed CA certificate) is not set." };
  }
  const ca = await parseCertificate(config.zoneCaPem);
  let signatureValid = false;
  try {
    const caCert = new x509.X509Certificate(ca.der);
    signatureValid = await new x509.X509Certificate(cert.der).verify({ publicKey: caCert.publicKey, signatureOnly: true });
  } catch {
    signatureValid = false;
  }
  return { configured: true, subjectDn: ca.subject.dn, ski: ca.ski, akiMatches: !!ca.ski && cert.aki === ca.ski, signatureValid };
}

/**
 * What certfleet knows of a certificate (public data only: the doctor never sends a key): whether
 * the zone's CA issued it, its record and device, Cloudflare's live status, when the edge last saw
 * it, and the mTLS hosts.
 * @throws PkiError when the text is not a certificate
 */
export async function diagnoseCertificate(actor: SessionUser, certificatePem: string): Promise<DoctorKnowledge> {
  assertCan(actor, 'certificate:diagnose');
  const prisma = db();
  const cert = await parseCertificate(certificatePem);
  const zoneCa = await zoneCaVerdict(cert);

  const row = await prisma.certificate.findFirst({
    where: { OR: [{ fingerprintSha256: cert.fingerprintSha256 }, { serialNumber: cert.serialNumber }] },
    include: { device: true },
  });
  // A serial from another CA can collide with one of ours; only the same DER is the same certificate.
  const record = row && row.fingerprintSha256 === cert.fingerprintSha256 ? row : null;

  let cloudflare: DoctorKnowledge['cloudflare'];
  try {
    if (record) {
      cloudflare = { status: (await getClientCertificate(record.cloudflareId)).status, checkedLive: true, error: null };
    } else if (zoneCa.configured && zoneCa.akiMatches && zoneCa.signatureValid) {
      // Issued by the zone's CA but unknown here (made outside certfleet): look for it in Cloudflare's list.
      let status: DoctorKnowledge['cloudflare']['status'] = null;
      for await (const c of iterateClientCertificates()) {
        if (c.serialNumber === cert.serialNumber) {
          status = c.status;
          break;
        }
      }
      cloudflare = { status, checkedLive: true, error: null };
    } else {
      cloudflare = { status: null, checkedLive: true, error: null };
    }
  } catch (error) {
    const message = isCloudflareError(error) ? error.message : error instanceof Error ? error.message : String(error);
    const fromRecords = record ? (record.status.toLowerCase() as NonNullable<DoctorKnowledge['cloudflare']['status']>) : null;
    cloudflare = { status: fromRecords, checkedLive: false, error: message };
  }

  const cursor = await prisma.pullCursor.findUnique({ where: { fingerprint: cert.fingerprintSha256 } });
  const hostStates = await readMtlsHostStates(prisma);

  return {
    zoneCa,
    record: record
      ? {
          certificateId: record.id,
          cloudflareId: record.cloudflareId,
          status: record.status,
          source: record.source,
          revocation:
            record.revokedAt || record.revocationReason || record.revokedByEmail
              ? { reason: record.revocationReason, note: record.revocationNote, byEmail: record.revokedByEmail, at: iso(record.revokedAt) }
              : null,
          supersededAt: iso(record.supersededAt),
          device: record.device
            ? {
                id: record.device.id,
                name: record.device.name,
                group: record.device.group,
                status: record.device.status,
                isCanary: record.device.isCanary,
                lastSeenAt: iso(record.device.lastSeenAt),
                lastSeenFingerprint: record.device.lastSeenFingerprint,
              }
            : null,
        }
      : null,
    cloudflare,
    certificateLastSeenAt: iso(cursor?.lastSeenAt),
    mtls: {
      hosts: hostStates.hosts.map((h) => ({ hostname: h.hostname, associated: h.associated, enforced: h.latest ? h.latest.enforced : null, checkedAt: iso(h.latest?.checkedAt) })),
      error: hostStates.cloudflareError ? (hostStates.cloudflareError instanceof Error ? hostStates.cloudflareError.message : String(hostStates.cloudflareError)) : null,
    },
  };
}
