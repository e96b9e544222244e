import 'server-only';
import { recordAudit } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { createCustomCsr as cfCreateCustomCsr, createCustomHostname, deleteCustomCsr as cfDeleteCustomCsr } from '@/lib/cloudflare';
import { checkSignedCertificate } from '@/lib/custom-csrs/check-certificate';
import { CustomCsrError, fromCloudflare } from '@/lib/custom-csrs/errors';
import { customCsrData, customHostnameData, deleteCustomCsrRows, reconcileCustomCsrs, type CustomCsrReconcileSummary } from '@/lib/custom-csrs/reconcile';
import { db } from '@/lib/db/client';
import { afterCursor, cursorPage } from './cursor';
import { tablePage } from './table-page';
import type { Prisma } from '@/lib/generated/prisma/client';
import { parseCsr } from '@/lib/pki';
import type { CreateCustomCsrInput, CustomCsrListSearch, UploadCertificateInput } from '@/lib/validation/custom-csr';
import type { CustomCsrKeyTypeName } from '@/lib/validation/custom-csr-constants';

export interface CustomHostnameRow {
  id: string;
  cloudflareId: string;
  hostname: string;
  sslStatus: string;
  issuer: string | null;
  expiresOn: Date | null;
  createdAt: Date;
}

export interface CustomCsrRow {
  id: string;
  cloudflareId: string;
  commonName: string;
  sans: string[];
  keyType: CustomCsrKeyTypeName;
  organization: string;
  country: string;
  createdAt: Date;
  hostnames: CustomHostnameRow[];
}

export interface CustomCsrDetail extends CustomCsrRow {
  state: string;
  locality: string;
  organizationalUnit: string | null;
  /** PEM with real newlines (Cloudflare's JSON escapes them as \n; seed 004 warns about it). */
  csrPem: string;
  parsed: {
    subjectDn: string;
    sans: string[];
    keyType: 'RSA' | 'EC';
    keySize: number;
    curve: string | null;
    signatureAlgorithm: string;
    signatureValid: boolean;
    spkiSha256: string;
  } | null;
}

const hostnameSelect = { id: true, cloudflareId: true, hostname: true, sslStatus: true, issuer: true, expiresOn: true, createdAt: true } as const;
const rowSelect = {
  id: true,
  cloudflareId: true,
  commonName: true,
  sans: true,
  keyType: true,
  organization: true,
  country: true,
  createdAt: true,
  hostnames: { select: hostnameSelect, orderBy: { hostname: 'asc' } },
} as const;

type RowFromDb = Prisma.CustomCsrGetPayload<{ select: typeof rowSelect }>;
const toRow = (r: RowFromDb): CustomCsrRow => ({ ...r, keyType: r.keyType as CustomCsrKeyTypeName });

/** One page of custom CSRs, filtered (key type, in use, text), sorted and paged in SQL. */
export async function findCustomCsrs(actor: SessionUser, search: CustomCsrListSearch): Promise<{ rows: CustomCsrRow[]; total: number }> {
  assertCan(actor, 'customcsr:view');
  const where = customCsrWhere(search);
  const { rows, total } = await tablePage(search, (page) => db().customCsr.findMany({ where, select: rowSelect, ...page }), () => db().customCsr.count({ where }));
  return { rows: rows.map(toRow), total };
}

/**
 * The same filters, cursor-paged for the REST API: `limit` rows with an id after `cursor`, by id, so a page
 * boundary never repeats or skips a row however many are made meanwhile.
 */
export async function findCustomCsrsAfter(
  actor: SessionUser,
  search: Pick<CustomCsrListSearch, 'q' | 'keyType' | 'inUse'> & { cursor?: string; limit: number },
): Promise<{ rows: CustomCsrRow[]; nextCursor: string | null }> {
  assertCan(actor, 'customcsr:view');
  const rows = await db().customCsr.findMany({ where: { AND: [customCsrWhere(search), ...afterCursor(search.cursor)] }, select: rowSelect, orderBy: { id: 'asc' }, take: search.limit + 1 });
  const { rows: page, nextCursor } = cursorPage(rows, search.limit);
  return { rows: page.map(toRow), nextCursor };
}

function customCsrWhere(search: Pick<CustomCsrListSearch, 'q' | 'keyType' | 'inUse'>): Prisma.CustomCsrWhereInput {
  return {
    ...(search.keyType ? { keyType: search.keyType } : {}),
    ...(search.inUse === true ? { hostnames: { some: {} } } : search.inUse === false ? { hostnames: { none: {} } } : {}),
    ...(search.q
      ? {
          OR: [
            { commonName: { contains: search.q, mode: 'insensitive' } },
            { organization: { contains: search.q, mode: 'insensitive' } },
            { sans: { has: search.q.toLowerCase() } },
          ],
        }
      : {}),
  };
}

/** A custom CSR with its PEM parsed (subject, SANs, key) and the hostnames that use its key; null when unknown. */
export async function getCustomCsr(actor: SessionUser, id: string): Promise<CustomCsrDetail | null> {
  assertCan(actor, 'customcsr:view');
  const row = await db().customCsr.findUnique({
    where: { id },
    select: { ...rowSelect, state: true, locality: true, organizationalUnit: true, csr: true },
  });
  if (!row) return null;
  const { csr, ...rest } = row;
  let parsed: CustomCsrDetail['parsed'] = null;
  try {
    const p = await parseCsr(csr, { strict: false });
    parsed = {
      subjectDn: p.subject.dn,
      sans: p.sans,
      keyType: p.keyType,
      keySize: p.keySize,
      curve: p.curve ?? null,
      signatureAlgorithm: p.signatureAlgorithm,
      signatureValid: p.signatureValid,
      spkiSha256: p.spkiSha256,
    };
  } catch {
    // Shown as "cannot be parsed" on the page; the PEM is still there to look at.
  }
  return { ...toRow(rest as RowFromDb), state: rest.state, locality: rest.locality, organizationalUnit: rest.organizationalUnit, csrPem: csr, parsed };
}

/** The PEM for the `.csr` download, with the common name for its file name. */
export async function getCustomCsrPem(actor: SessionUser, id: string): Promise<{ commonName: string; pem: string } | null> {
  assertCan(actor, 'customcsr:view');
  const row = await db().customCsr.findUnique({ where: { id }, select: { commonName: true, csr: true } });
  return row ? { commonName: row.commonName, pem: row.csr } : null;
}

/**
 * Asks Cloudflare to make a key and a CSR (the key never leaves Cloudflare), then keeps a copy.
 * If the database write fails after Cloudflare answered, the reconcile job imports the CSR.
 * @throws CustomCsrError with Cloudflare's refusal
 */
export async function createCustomCsr(actor: SessionUser, input: CreateCustomCsrInput): Promise<CustomCsrRow> {
  assertCan(actor, 'customcsr:manage');
  let created;
  try {
    created = await cfCreateCustomCsr({
      commonName: input.commonName,
      sans: input.sans,
      country: input.country,
      state: input.state,
      locality: input.locality,
      organization: input.organization,
      organizationalUnit: input.organizationalUnit,
      keyType: input.keyType,
    });
  } catch (error) {
    throw fromCloudflare(error);
  }
  return db().$transaction(async (tx) => {
    const row = await tx.customCsr.create({ data: customCsrData(created), select: rowSelect });
    await recordAudit(tx, {
      actor,
      action: 'customcsr.create',
      targetType: 'customcsr',
      targetId: row.id,
      targetLabel: row.commonName,
      details: { cloudflareId: created.id, keyType: created.keyType, sans: created.sans },
    });
    return toRow(row);
  });
}

/**
 * Uploads what the customer's CA signed: checks it (key = CSR's key, not self-signed, covers the
 * hostname, valid now), then creates the custom hostname with ssl.custom_csr_id + ssl.custom_certificate.
 * @see ../shared/seeds/004 "Uploading the certificate"
 * @throws CustomCsrError CERTIFICATE_REFUSED (with every problem found), HOSTNAME_TAKEN, NOT_FOUND, or Cloudflare's code
 */
export async function uploadCustomCertificate(actor: SessionUser, input: UploadCertificateInput): Promise<CustomHostnameRow> {
  assertCan(actor, 'customcsr:manage');
  const csr = await db().customCsr.findUnique({ where: { id: input.id }, select: { id: true, cloudflareId: true, commonName: true, csr: true } });
  if (!csr) throw new CustomCsrError('NOT_FOUND', 'This custom CSR no longer exists in certfleet. Reconcile with Cloudflare and try again.');
  const check = await checkSignedCertificate({ csrPem: csr.csr, certificatePem: input.certificate, hostname: input.hostname });
  if (!check.ok) {
    throw new CustomCsrError('CERTIFICATE_REFUSED', check.problems.map((p) => p.message).join(' '), {
      field: check.problems.every((p) => p.code === 'HOSTNAME_NOT_COVERED') ? 'hostname' : 'certificate',
      problems: check.problems,
    });
  }
  let host;
  try {
    host = await createCustomHostname({ hostname: input.hostname, customCsrId: csr.cloudflareId, customCertificate: input.certificate });
  } catch (error) {
    throw fromCloudflare(error, 'certificate');
  }
  const data = customHostnameData(host);
  return db().$transaction(async (tx) => {
    const row = await tx.customHostname.create({
      data: { ...data, expiresOn: data.expiresOn ?? check.leaf.notAfter, cloudflareId: host.id, customCsrId: csr.id },
      select: hostnameSelect,
    });
    await recordAudit(tx, {
      actor,
      action: 'customhostname.create',
      targetType: 'customhostname',
      targetId: row.id,
      targetLabel: row.hostname,
      details: {
        cloudflareId: host.id,
        customCsr: csr.commonName,
        customCsrId: csr.cloudflareId,
        serialNumber: check.leaf.serialNumber,
        issuer: check.leaf.issuer.dn,
        expiresOn: row.expiresOn?.toISOString() ?? null,
      },
    });
    return row;
  });
}

/**
 * Deletes a custom CSR at Cloudflare (its private key goes with it), then locally. While a custom
 * hostname uses the key Cloudflare refuses (409, 1420) and nothing changes here.
 * @throws CustomCsrError KEY_IN_USE (with the hostname), NOT_FOUND, or Cloudflare's code
 */
export async function deleteCustomCsr(actor: SessionUser, id: string): Promise<{ commonName: string }> {
  assertCan(actor, 'customcsr:manage');
  const csr = await db().customCsr.findUnique({
    where: { id },
    select: { id: true, cloudflareId: true, commonName: true, hostnames: { select: { hostname: true } } },
  });
  if (!csr) throw new CustomCsrError('NOT_FOUND', 'This custom CSR no longer exists in certfleet.');
  try {
    await cfDeleteCustomCsr(csr.cloudflareId);
  } catch (error) {
    const refused = fromCloudflare(error);
    if (refused.code === 'KEY_IN_USE') {
      const hostname = refused.extra.hostname ?? csr.hostnames[0]?.hostname;
      throw new CustomCsrError(
        'KEY_IN_USE',
        hostname
          ? `Cloudflare refused to delete this CSR: its private key is still used by the custom hostname ${hostname}. Delete that custom hostname first; nothing was changed.`
          : `Cloudflare refused to delete this CSR: its private key is still used by a custom hostname. Delete that custom hostname first; nothing was changed.`,
        { hostname },
      );
    }
    // Already gone at Cloudflare: finish the job here instead of leaving a row nobody can delete.
    if (refused.code !== 'NOT_FOUND') throw refused;
  }
  await db().$transaction((tx) => deleteCustomCsrRows(tx, csr, { actor, action: 'customcsr.delete' }));
  return { commonName: csr.commonName };
}

/** The Reconcile button: the scheduled job's work, audited under the person who asked. */
export async function reconcileCustomCsrsNow(actor: SessionUser): Promise<CustomCsrReconcileSummary> {
  assertCan(actor, 'customcsr:manage');
  try {
    return await reconcileCustomCsrs(db(), actor);
  } catch (error) {
    throw fromCloudflare(error);
  }
}
