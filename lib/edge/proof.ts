import 'server-only';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type AuditActor, recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import { EDGE_PROOF_ACTIONS, type EdgeProof, readEdgeProof } from '@/lib/data/certificates';
import { postReading, type DeviceCredentials } from '@/lib/devices/simulator';
import type { Prisma, PrismaClient } from '@/lib/generated/prisma/client';
import { parseCertificate } from '@/lib/pki';
import { type EdgeConfig, readEdgeConfig } from './config';

/*
 * Proof at the edge: after Cloudflare reports a certificate revoked, certfleet makes the device's own
 * request, a TLS handshake presenting that certificate and `POST /temps`, and records how the edge
 * answered.
 *
 * Why only with the device's key: a handshake proves possession of the private key, and certfleet
 * never holds a device's key (browser-made keys never leave the browser; CSRs come without one). A
 * handshake with some other certificate would prove nothing about this one. The demo and e2e devices
 * are the exception: the simulator that plays them keeps their keys in CERTFLEET_DEVICE_KEYS_DIR
 * (local mode only), so for those certfleet can make the real request. For every other certificate
 * the page shows Cloudflare's status and the mTLS rule that refuses a revoked certificate, and says
 * that the proof needs the device's key.
 */

const EDGE_PROOF_ACTOR: AuditActor = { id: null, email: 'system:edge-proof' };

/** API Shield's mTLS rule as the edge applies it. @see https://developers.cloudflare.com/api-shield/security/mtls/configure/ */
export const MTLS_RULE_EXPRESSION = '(http.host in {…associated hostnames…}) and (not cf.tls_client_auth.cert_verified or cf.tls_client_auth.cert_revoked)';

/**
 * The key and certificate the simulator keeps for a certificate, named by its SHA-256 fingerprint
 * (`<fingerprint>.cert.pem` + `<fingerprint>.key.pem`, as scripts/lib/fleet.ts writes them), if they
 * are there and the certificate file really is that certificate.
 */
export async function findDeviceCredentials(dir: string, fingerprintSha256: string): Promise<DeviceCredentials | null> {
  if (!/^[0-9a-f]{64}$/.test(fingerprintSha256)) return null;
  try {
    const [certPem, keyPem] = await Promise.all([
      readFile(path.join(dir, `${fingerprintSha256}.cert.pem`), 'utf8'),
      readFile(path.join(dir, `${fingerprintSha256}.key.pem`), 'utf8'),
    ]);
    if ((await parseCertificate(certPem)).fingerprintSha256 !== fingerprintSha256) return null;
    return { name: fingerprintSha256.slice(0, 12), certPem, keyPem };
  } catch {
    // No key for this certificate (the usual case: certfleet never holds device keys).
    return null;
  }
}

export type EdgeProofAvailability = { possible: true; config: EdgeConfig; credentials: DeviceCredentials } | { possible: false; reason: 'no-edge' | 'no-key' };

interface ProofSubject {
  fingerprintSha256: string;
}

/** Whether this certificate can be proved at the edge here: an edge is configured and the device's key is on disk. */
export async function edgeProofAvailability(cert: ProofSubject, config: EdgeConfig | null = readEdgeConfig()): Promise<EdgeProofAvailability> {
  if (!config) return { possible: false, reason: 'no-edge' };
  const credentials = config.deviceKeysDir ? await findDeviceCredentials(config.deviceKeysDir, cert.fingerprintSha256) : null;
  return credentials ? { possible: true, config, credentials } : { possible: false, reason: 'no-key' };
}

export type ProveResult =
  | { outcome: 'proved'; proof: EdgeProof }
  | { outcome: 'skipped'; reason: 'not-revoked' | 'no-edge' | 'no-key' | 'not-found' }
  /** No conclusive answer (no connection, a 5xx, an unexpected status): nothing recorded, try again later. */
  | { outcome: 'inconclusive'; detail: string };

/**
 * Proves a revoked certificate is refused at the edge, once per revocation: the device's real
 * request (`POST /temps` over mTLS with its key), then an audit event `certificate.edge_refused`
 * (403) or `certificate.edge_accepted` (2xx: the edge let a revoked certificate through, an alarm)
 * with `{status, elapsedMs, layer}`, elapsed counted from Cloudflare's acknowledgement of the
 * revocation. A proof already recorded for this revocation is returned instead of probing again.
 *
 * Only for certificates Cloudflare already reports `revoked`: while `pending_revocation` the edge
 * still accepts them, and the probe would post a reading.
 */
export async function proveRefusedAtEdge(prisma: PrismaClient, certificateId: string, config: EdgeConfig | null = readEdgeConfig()): Promise<ProveResult> {
  const cert = await prisma.certificate.findUnique({
    where: { id: certificateId },
    select: { id: true, status: true, revokedAt: true, serialNumber: true, fingerprintSha256: true, device: { select: { name: true } } },
  });
  if (!cert) return { outcome: 'skipped', reason: 'not-found' };
  if (cert.status !== 'REVOKED' || !cert.revokedAt) return { outcome: 'skipped', reason: 'not-revoked' };
  const existing = await readEdgeProof(prisma, cert.id, cert.revokedAt);
  if (existing) return { outcome: 'proved', proof: existing };

  const availability = await edgeProofAvailability(cert, config);
  if (!availability.possible) return { outcome: 'skipped', reason: availability.reason };

  const result = await postReading({
    url: `${availability.config.url}/temps`,
    device: availability.credentials,
    caPem: availability.config.caPem,
    timeoutMs: 10_000,
  });
  const at = new Date();
  if (result.status === 0) return { outcome: 'inconclusive', detail: `no answer from the edge: ${result.error ?? 'connection failed'}` };
  const refused = result.status === 403;
  const accepted = result.status >= 200 && result.status < 300;
  if (!refused && !accepted) return { outcome: 'inconclusive', detail: `the edge answered ${result.status}` };

  const proof: EdgeProof = {
    outcome: refused ? 'refused' : 'accepted',
    status: result.status,
    elapsedMs: Math.max(0, at.getTime() - cert.revokedAt.getTime()),
    at,
    // Cloudflare answers a request its firewall (the mTLS rule) blocks with "error code: 1020".
    layer: refused ? (/error code: 1020/.test(result.body) ? 'mTLS rule' : 'Worker') : null,
  };
  const recorded = await prisma.$transaction(async (tx) => {
    // Two provers (the revoke action's follow-up and a page view) may finish at once: one event only.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`edge-proof:${cert.id}`}))`;
    const again = await readEdgeProof(tx, cert.id, cert.revokedAt);
    if (again) return again;
    await recordEdgeProof(tx, cert, proof);
    return proof;
  });
  return { outcome: 'proved', proof: recorded };
}

async function recordEdgeProof(
  tx: Prisma.TransactionClient,
  cert: { id: string; serialNumber: string; revokedAt: Date | null; device: { name: string } | null },
  proof: EdgeProof,
): Promise<void> {
  await recordAudit(tx, {
    actor: EDGE_PROOF_ACTOR,
    action: EDGE_PROOF_ACTIONS[proof.outcome],
    targetType: 'certificate',
    targetId: cert.id,
    targetLabel: cert.device ? `${cert.device.name} (${cert.serialNumber})` : cert.serialNumber,
    details: {
      status: proof.status,
      elapsedMs: proof.elapsedMs,
      layer: proof.layer,
      revokedAt: cert.revokedAt?.toISOString() ?? null,
    },
  });
}

export interface EdgeProofState {
  certificateId: string;
  proof: EdgeProof | null;
  /** Whether a proof can be made here; never the key itself. */
  availability: { possible: true } | { possible: false; reason: 'no-edge' | 'no-key' };
}

/** For a page: the recorded proof of each certificate's current revocation and whether one can be made. */
export async function getEdgeProofStates(
  actor: SessionUser,
  certificates: readonly { id: string; fingerprintSha256: string; revokedAt: Date | null }[],
): Promise<EdgeProofState[]> {
  assertCan(actor, 'certificate:view');
  const config = readEdgeConfig();
  return Promise.all(
    certificates.map(async (cert) => {
      const availability = await edgeProofAvailability(cert, config);
      return {
        certificateId: cert.id,
        proof: await readEdgeProof(db(), cert.id, cert.revokedAt),
        availability: availability.possible ? ({ possible: true } as const) : availability,
      };
    }),
  );
}
