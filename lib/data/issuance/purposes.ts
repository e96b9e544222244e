/**
 * What each kind of issuance does after its certificate is issued (or certainly refused). The kinds own their
 * steps, one module each: enrollment (after-enroll.ts), bulk rows (after-bulk.ts), renewal (after-renew.ts);
 * EST asks for enroll and renew issuances. Issuance itself only records the certificate, marks the intent and
 * runs the kind's step in the same transaction.
 *
 * The kind travels in the request id, the one thing an intent keeps that outlives its caller: the heal job and
 * reconcile settle an intent long after the request that made it has gone, and still run the caller's step.
 */
import type { AuditActor } from '@/lib/audit';
import type { CertificateSource, DeviceStatus, IssuanceIntent, Prisma } from '@/lib/generated/prisma/client';
import { bulkAfterIssuance } from './after-bulk';
import { enrollAfterIssuance } from './after-enroll';
import { renewAfterIssuance } from './after-renew';

/** What the kind's step is given, inside the transaction that records the certificate. */
export interface IssuedStep {
  tx: Prisma.TransactionClient;
  intent: IssuanceIntent;
  certificate: { id: string };
  /** The intent's device, as it was before the certificate was recorded (null: it was removed). */
  device: { id: string; name: string; status: DeviceStatus } | null;
  actor: AuditActor;
}

export interface AfterIssuance {
  /** The source of the certificate when the intent still has a device; undefined: the caller's `source`. */
  source?: CertificateSource;
  /** The action of the certificate's audit event. */
  auditAction: 'certificate.issue' | 'certificate.renew';
  /** After the certificate is attached to its device, before the intent is ISSUED; returns details for the certificate's audit event. */
  issued?(step: IssuedStep): Promise<Record<string, unknown> | void>;
  /** In the transaction that marks the intent FAILED: Cloudflare certainly signed nothing. */
  failed?(tx: Prisma.TransactionClient, intent: IssuanceIntent, message: string): Promise<void>;
}

/** Each kind reads its own request ids (`<kind>:…`) and answers with its steps, or undefined for another kind's id. */
export type AfterIssuanceReader = (parts: string[]) => AfterIssuance | undefined;

const seed: AfterIssuanceReader = ([kind]) => (kind === 'seed' ? { source: 'SEED', auditAction: 'certificate.issue' } : undefined);
const OTHER: AfterIssuance = { auditAction: 'certificate.issue' };
const READERS: AfterIssuanceReader[] = [enrollAfterIssuance, bulkAfterIssuance, renewAfterIssuance, seed];

/** The steps of the kind that asked for this intent (none for an id of no known kind). */
export function afterIssuanceOf(requestId: string): AfterIssuance {
  const parts = requestId.split(':');
  for (const read of READERS) {
    const after = read(parts);
    if (after) return after;
  }
  return OTHER;
}

/** The shape every request id must have (its kind's prefix included). */
export const REQUEST_ID = /^[A-Za-z0-9:_.-]{8,200}$/;
