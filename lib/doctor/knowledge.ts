import 'server-only';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { cloudflare, isCloudflareError } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { readMtlsConfig } from '@/lib/mtls/config';
import { readMtlsHostStates } from '@/lib/mtls/state';
import { parseCertificate, type ParsedCertificate } from '@/lib/pki';
import { x509 } from '@/lib/pki/crypto';
import type { DoctorKnowledge } from './types';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

/**
 * Pages of Cloudflare's list the doctor reads for a certificate certfleet has no record of (50 each,
 * one API call each). Never the whole zone: at 100,000 certificates that is 2,000 calls, more than
 * the 1,200 per 5 minutes the token may make.
 */
export const DOCTOR_MAX_PAGES = 3;

/** A zone-CA certificate certfleet has no record of: look for it in a few pages of Cloudflare's list. */
async function searchZone(serialNumber: string): Promise<DoctorKnowledge['cloudflare']> {
  const door = cloudflare();
  let total: number | undefined;
  for (let page = 1; page <= DOCTOR_MAX_PAGES; page++) {
    const result = await door.listClientCertificatesPage(page);
    total = result.totalCount ?? total;
    for (const item of result.items) {
      if (item.certificatePem && (await parseCertificate(item.certificatePem)).serialNumber === serialNumber) {
        return { status: item.status, checkedLive: true, error: null };
      }
    }
    const last = result.items.length < result.perPage || (result.totalPages !== undefined && page >= result.totalPages);
    if (last) return { status: null, checkedLive: true, error: null };
  }
  const looked = DOCTOR_MAX_PAGES * 50;
  return {
    status: null,
    checkedLive: false,
    error:
      `certfleet has no record of this certificate, and it is not among the first ${looked.toLocaleString('en-US')} of ${total ? total.toLocaleString('en-US') : 'the'} client certificates in Cloudflare. ` +
      'The rest was not searched, to spare the API budget: run Reconcile (it records certificates made outside certfleet), then ask again.',
  };
}

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

  let live: DoctorKnowledge['cloudflare'];
  try {
    if (record) {
      live = { status: (await cloudflare().getClientCertificate(record.cloudflareId)).status, checkedLive: true, error: null };
    } else if (zoneCa.configured && zoneCa.akiMatches && zoneCa.signatureValid) {
      // Issued by the zone's CA but unknown here (made outside certfleet): a bounded look at Cloudflare's list.
      live = await searchZone(cert.serialNumber);
    } else {
      live = { status: null, checkedLive: true, error: null };
    }
  } catch (error) {
    const message = isCloudflareError(error) ? error.message : error instanceof Error ? error.message : String(error);
    const fromRecords = record ? (record.status.toLowerCase() as NonNullable<DoctorKnowledge['cloudflare']['status']>) : null;
    live = { status: fromRecords, checkedLive: false, error: message };
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
    cloudflare: live,
    certificateLastSeenAt: iso(cursor?.lastSeenAt),
    mtls: {
      hosts: hostStates.hosts.map((h) => ({ hostname: h.hostname, associated: h.associated, enforced: h.latest ? h.latest.enforced : null, checkedAt: iso(h.latest?.checkedAt) })),
      error: hostStates.cloudflareError ? (hostStates.cloudflareError instanceof Error ? hostStates.cloudflareError.message : String(hostStates.cloudflareError)) : null,
    },
  };
}
