/**
 * Renewal's request ids (`renew:<old certificate>:<browser id>`, also EST's `renew:<old>:est-<id>`) and what
 * follows its issuance: the old certificate is marked superseded by the new one, and the issuance is audited as a
 * renewal that names what it supersedes. Revoking the old one is the caller's choice (lib/data/renewal.ts).
 */
import type { AfterIssuanceReader } from './purposes';

export const renewalRequestId = (replacesCertificateId: string, browserId: string) => `renew:${replacesCertificateId}:${browserId}`;

export const renewAfterIssuance: AfterIssuanceReader = ([kind, replacesCertificateId]) => {
  if (kind !== 'renew' || !replacesCertificateId) return undefined;
  return {
    source: 'RENEWAL',
    auditAction: 'certificate.renew',
    async issued({ tx, device, certificate }) {
      if (!device) return;
      const old = await tx.certificate.findFirst({
        where: { id: replacesCertificateId, deviceId: device.id, supersededById: null, NOT: { id: certificate.id } },
        select: { id: true, serialNumber: true },
      });
      if (!old) return;
      await tx.certificate.update({ where: { id: old.id }, data: { supersededById: certificate.id, supersededAt: new Date() } });
      return { supersedes: old.id, supersedesSerial: old.serialNumber };
    },
  };
};
