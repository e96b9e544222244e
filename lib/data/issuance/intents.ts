/**
 * The issuance intent row, written before Cloudflare is asked to sign: made with its device (or for an existing
 * one), prepared again for a retry, and read back when a retried request had already succeeded.
 */
import { type IssuanceIntent, Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import type { ParsedCsr } from '@/lib/pki';
import { IssuanceError } from './errors';
import { certificateView, deviceView, type IssuanceResult, type IssueRequest, type NewDeviceSpec } from './types';

async function createDevice(tx: Prisma.TransactionClient, spec: NewDeviceSpec): Promise<string> {
  const taken = await tx.device.findUnique({ where: { name: spec.name }, select: { id: true } });
  if (taken) throw new IssuanceError('NAME_TAKEN', `A device named "${spec.name}" already exists.`, { field: 'name' });
  const device = await tx.device.create({
    data: { name: spec.name, group: spec.group, commonName: spec.commonName, tags: spec.tags ?? [], status: 'INACTIVE' },
    select: { id: true },
  });
  return device.id;
}

async function existingDevice(tx: Prisma.TransactionClient, id: string): Promise<string> {
  const device = await tx.device.findUnique({ where: { id }, select: { id: true, status: true } });
  if (!device) throw new IssuanceError('DEVICE_NOT_FOUND', 'The device does not exist (any more).');
  if (device.status === 'DECOMMISSIONED') throw new IssuanceError('BAD_INPUT', 'The device is decommissioned; enroll a new device instead.');
  return device.id;
}

export async function createIntent(prisma: PrismaClient, request: IssueRequest, csr: ParsedCsr, digest: string): Promise<IssuanceIntent> {
  try {
    return await prisma.$transaction(async (tx) => {
      const deviceId = 'create' in request.device ? await createDevice(tx, request.device.create) : await existingDevice(tx, request.device.id);
      return tx.issuanceIntent.create({
        data: {
          id: request.requestId,
          deviceId,
          csrSha256: digest,
          csr: csr.pem,
          validityDays: request.validityDays,
          actorEmail: request.actor.email,
        },
      });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      // Someone made the same intent (or took the name) between our read and write.
      const again = await prisma.issuanceIntent.findUnique({ where: { id: request.requestId } });
      if (again) return again;
      if ('create' in request.device) {
        throw new IssuanceError('NAME_TAKEN', `A device named "${request.device.create.name}" already exists.`, { field: 'name' });
      }
    }
    throw error;
  }
}

/** Before trying an intent again: its device must still be there (a failed enrollment removed it). */
export async function prepareRetry(prisma: PrismaClient, intent: IssuanceIntent, request: IssueRequest): Promise<IssuanceIntent> {
  return prisma.$transaction(async (tx) => {
    const present = intent.deviceId ? await tx.device.findUnique({ where: { id: intent.deviceId }, select: { id: true } }) : null;
    let deviceId = present?.id;
    if (!deviceId) {
      deviceId = 'create' in request.device ? await createDevice(tx, request.device.create) : await existingDevice(tx, request.device.id);
    }
    return tx.issuanceIntent.update({
      where: { id: intent.id },
      data: { deviceId, status: 'PENDING', validityDays: request.validityDays, actorEmail: request.actor.email },
    });
  });
}

export async function existingResult(prisma: PrismaClient, intent: IssuanceIntent): Promise<IssuanceResult> {
  const certificate = intent.cloudflareId
    ? await prisma.certificate.findUnique({ where: { cloudflareId: intent.cloudflareId }, select: certificateView })
    : null;
  if (!certificate) throw new Error(`Issuance intent ${intent.id} is ISSUED but its certificate ${intent.cloudflareId} is not recorded`);
  const device = certificate.deviceId ? await prisma.device.findUnique({ where: { id: certificate.deviceId }, select: deviceView }) : null;
  return { outcome: 'already-issued', certificate, device };
}
