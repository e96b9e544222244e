import 'server-only';
/**
 * One download for a whole bulk enrollment: a zip with every issued certificate (PEM, one file per row)
 * and manifest.csv, a line per row of the job — issued or not — with the file, serial, SKI, SHA-256
 * fingerprint and expiry, or the row's error. The devices made their own keys (the CSV carried CSRs), so
 * the zip holds no secret; it is built in memory (a row's PEM is ~1 kB: 10,000 rows make ~10 MB).
 */
import { zipSync, strToU8 } from 'fflate';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import { csvField } from '@/lib/validation/bulk-csv';
import { BulkError } from './bulk';

export const MANIFEST_COLUMNS = ['row', 'name', 'group', 'status', 'file', 'serial_number', 'ski', 'fingerprint_sha256', 'expires_on', 'error'] as const;

export interface BulkBundle {
  fileName: string;
  zip: Uint8Array;
  issued: number;
  rows: number;
}

/** A file name from a device name: what a filesystem accepts everywhere, still recognisable. */
function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 80) || 'device';
}

export async function buildBulkBundle(actor: SessionUser, jobId: string, prisma: PrismaClient = db()): Promise<BulkBundle> {
  assertCan(actor, 'device:enroll');
  const job = await prisma.bulkJob.findUnique({ where: { id: jobId }, select: { id: true } });
  if (!job) throw new BulkError('NOT_FOUND', 'There is no such bulk job.');
  const rows = await prisma.bulkJobRow.findMany({
    where: { jobId },
    orderBy: { rowIndex: 'asc' },
    select: { rowIndex: true, name: true, group: true, status: true, error: true, certificateId: true },
  });
  const ids = rows.flatMap((r) => (r.certificateId ? [r.certificateId] : []));
  const certificates = new Map(
    (
      await prisma.certificate.findMany({
        where: { id: { in: ids } },
        select: { id: true, pem: true, serialNumber: true, ski: true, fingerprintSha256: true, expiresOn: true },
      })
    ).map((c) => [c.id, c]),
  );

  const files: Record<string, Uint8Array> = {};
  const lines = [MANIFEST_COLUMNS.join(',')];
  let issued = 0;
  for (const r of rows) {
    const cert = r.status === 'ISSUED' && r.certificateId ? certificates.get(r.certificateId) : undefined;
    // The row number keeps two rows with the same name (a retried file) apart.
    const file = cert ? `certificates/${String(r.rowIndex).padStart(5, '0')}-${safeName(r.name)}.pem` : '';
    if (cert) {
      files[file] = strToU8(cert.pem.endsWith('\n') ? cert.pem : `${cert.pem}\n`);
      issued++;
    }
    const status = cert ? 'ISSUED' : r.status;
    lines.push(
      [String(r.rowIndex), r.name, r.group, status, file, cert?.serialNumber ?? '', cert?.ski ?? '', cert?.fingerprintSha256 ?? '', cert?.expiresOn.toISOString() ?? '', r.error ?? '']
        .map(csvField)
        .join(','),
    );
  }
  files['manifest.csv'] = strToU8(`${lines.join('\r\n')}\r\n`);
  // Certificates do not compress much; level 6 still saves the PEM's base64 overhead on the manifest.
  const zip = zipSync(files, { level: 6, mtime: new Date() });
  await recordAudit(prisma, { actor, action: 'bulk.download', targetType: 'bulk_job', targetId: jobId, details: { rows: rows.length, issued } });
  return { fileName: `certfleet-bulk-${jobId}.zip`, zip, issued, rows: rows.length };
}
