/**
 * Bulk enrollment's request ids (`bulk:<job>:<row>`) and what follows a row's issuance: the row is ISSUED with
 * its certificate and the device enrolled as by the wizard; when Cloudflare certainly signed nothing, the row is
 * FAILED and the device made for it goes again.
 */
import { activateEnrolledDevice, removeUnusedDevice } from './after-enroll';
import type { AfterIssuanceReader } from './purposes';

export const bulkRequestId = (jobId: string, rowIndex: number) => `bulk:${jobId}:${rowIndex}`;

export const bulkAfterIssuance: AfterIssuanceReader = ([kind, jobId, row]) => {
  if (kind !== 'bulk' || !jobId || row === undefined || !/^\d+$/.test(row)) return undefined;
  const rowIndex = Number(row);
  return {
    source: 'BULK',
    auditAction: 'certificate.issue',
    async issued(step) {
      await activateEnrolledDevice(step, { bulkJobId: jobId, row: rowIndex });
      await step.tx.bulkJobRow.updateMany({
        where: { jobId, rowIndex },
        data: { status: 'ISSUED', certificateId: step.certificate.id, error: null },
      });
    },
    async failed(tx, intent, message) {
      await removeUnusedDevice(tx, intent);
      await tx.bulkJobRow.updateMany({
        where: { jobId, rowIndex, status: { not: 'ISSUED' } },
        data: { status: 'FAILED', error: message.slice(0, 1000) },
      });
    },
  };
};
