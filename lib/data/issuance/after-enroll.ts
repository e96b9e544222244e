/**
 * Enrollment's request ids (`enroll:<browser id>`, also EST's `enroll:est-<id>`) and what follows its issuance:
 * the device made with the intent becomes ACTIVE and its enrollment is audited; when Cloudflare certainly signed
 * nothing, that device goes again (bulk rows do the same, see after-bulk.ts).
 */
import { recordAudit } from '@/lib/audit';
import type { IssuanceIntent, Prisma } from '@/lib/generated/prisma/client';
import type { AfterIssuance, AfterIssuanceReader, IssuedStep } from './purposes';

export const enrollmentRequestId = (browserId: string) => `enroll:${browserId}`;

/** The device made for the intent now has its certificate: ACTIVE, and its enrollment audited. */
export async function activateEnrolledDevice(step: IssuedStep, details: Record<string, unknown> = {}): Promise<void> {
  const { tx, device } = step;
  if (!device) return;
  if (device.status === 'INACTIVE') await tx.device.update({ where: { id: device.id }, data: { status: 'ACTIVE' } });
  await recordAudit(tx, {
    actor: step.actor,
    action: 'device.enroll',
    targetType: 'device',
    targetId: device.id,
    targetLabel: device.name,
    details: { requestId: step.intent.id, certificateId: step.certificate.id, ...details },
  });
}

/** Removes the device made for a failed intent if it has nothing of its own yet: no half-made device stays behind. */
export async function removeUnusedDevice(tx: Prisma.TransactionClient, intent: IssuanceIntent): Promise<void> {
  if (!intent.deviceId) return;
  await tx.device.deleteMany({
    where: { id: intent.deviceId, status: 'INACTIVE', certificates: { none: {} }, readings: { none: {} } },
  });
}

const ENROLL: AfterIssuance = {
  source: 'ENROLLED',
  auditAction: 'certificate.issue',
  issued: (step) => activateEnrolledDevice(step),
  failed: (tx, intent) => removeUnusedDevice(tx, intent),
};

export const enrollAfterIssuance: AfterIssuanceReader = ([kind]) => (kind === 'enroll' ? ENROLL : undefined);
