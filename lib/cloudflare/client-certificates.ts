/**
 * Client certificates (mTLS, signed by the zone's managed CA): issue, read, list (whole or one page),
 * revoke, reactivate. Every request goes through the door (door.ts) and so draws from the budget.
 * @see https://developers.cloudflare.com/api/resources/client_certificates/
 */
import 'server-only';
import type Cloudflare from 'cloudflare';
import { parseCertificate, parseCsr } from '@/lib/pki';
import { normalizePemText } from '@/lib/pki/pem';
import { serialFromApi, toIssueDate, type Door } from './door';

export type ClientCertificateStatus = 'active' | 'pending_revocation' | 'revoked' | 'pending_reactivation';

export interface ClientCertificate {
  id: string;
  status: ClientCertificateStatus;
  /** PEM, \n line endings. */
  certificatePem: string;
  /** The CSR it was issued for (PEM, \n line endings; Cloudflare returns it with \r\n). */
  csrPem: string;
  /** Uppercase hex (openssl -serial), read from the certificate itself. */
  serialNumber: string;
  /** Lowercase hex. */
  ski: string;
  /** Lowercase hex. */
  fingerprintSha256: string;
  commonName: string;
  organization: string;
  organizationalUnit: string;
  country: string;
  state: string;
  locality: string;
  /** e.g. SHA256WithRSA */
  signature: string;
  issuedOn: Date;
  expiresOn: Date;
  validityDays: number;
  certificateAuthority: { id: string; name: string } | null;
}

/** Cloudflare's largest page for client certificates. */
export const CLOUDFLARE_PAGE_SIZE = 50;

/** A client certificate as listed (not parsed: a page of 50 is read fast), in the shape certfleet records. */
export interface ListedCertificate {
  id: string;
  certificatePem: string;
  csrPem: string;
  status: ClientCertificateStatus;
  validityDays: number;
  issuedOn: Date | null;
}

export interface CertificatePage {
  items: ListedCertificate[];
  page: number;
  perPage: number;
  /** From Cloudflare's result_info when it sends it. */
  totalPages?: number;
  totalCount?: number;
}

type SdkCertificate = Cloudflare.ClientCertificates.ClientCertificate;

async function toClientCertificate(c: SdkCertificate): Promise<ClientCertificate> {
  const pem = c.certificate ? normalizePemText(c.certificate) + '\n' : '';
  const parsed = pem ? await parseCertificate(pem) : undefined;
  return {
    id: c.id ?? '',
    status: (c.status ?? 'active') as ClientCertificateStatus,
    certificatePem: parsed?.pem ?? pem,
    csrPem: c.csr ? `${normalizePemText(c.csr)}\n` : '',
    serialNumber: parsed?.serialNumber ?? serialFromApi(c.serial_number) ?? '',
    ski: (parsed?.ski ?? c.ski ?? '').toLowerCase(),
    fingerprintSha256: (parsed?.fingerprintSha256 ?? c.fingerprint_sha256 ?? '').toLowerCase(),
    commonName: c.common_name ?? parsed?.subject.CN ?? '',
    organization: c.organization ?? '',
    organizationalUnit: c.organizational_unit ?? '',
    country: c.country ?? '',
    state: c.state ?? '',
    locality: c.location ?? '',
    signature: c.signature ?? parsed?.signatureAlgorithm ?? '',
    issuedOn: toIssueDate(c.issued_on) ?? parsed?.notBefore ?? new Date(0),
    expiresOn: toIssueDate(c.expires_on) ?? parsed?.notAfter ?? new Date(0),
    validityDays: c.validity_days ?? 0,
    certificateAuthority: c.certificate_authority?.id ? { id: c.certificate_authority.id, name: c.certificate_authority.name ?? '' } : null,
  };
}

function toListed(c: SdkCertificate): ListedCertificate {
  return {
    id: c.id ?? '',
    certificatePem: c.certificate ? `${normalizePemText(c.certificate)}\n` : '',
    csrPem: c.csr ? `${normalizePemText(c.csr)}\n` : '',
    status: (c.status ?? 'active') as ClientCertificateStatus,
    validityDays: c.validity_days ?? 0,
    issuedOn: toIssueDate(c.issued_on),
  };
}

export type StatusFilter = { status?: ClientCertificateStatus | 'all' };

export function clientCertificates(door: Door) {
  const { sdk, zoneId: zone_id } = door;
  const R = 'client certificate' as const;

  /** Every client certificate of the zone, page by page; `maxPages` bounds the walk (each page is a request). */
  async function* iterate(opts: StatusFilter & { maxPages?: number } = {}): AsyncGenerator<ClientCertificate> {
    let page;
    try {
      page = await sdk.clientCertificates.list({ zone_id, status: opts.status ?? 'all', per_page: CLOUDFLARE_PAGE_SIZE });
    } catch (e) {
      throw door.fail(e, 'listClientCertificates', R);
    }
    for (let n = 1; ; n++) {
      for (const item of page.getPaginatedItems()) yield await toClientCertificate(item);
      if (!page.hasNextPage() || (opts.maxPages !== undefined && n >= opts.maxPages)) return;
      try {
        page = await page.getNextPage();
      } catch (e) {
        throw door.fail(e, 'listClientCertificates', R);
      }
    }
  }

  return {
    /**
     * Signs a CSR with the zone's managed CA (POST client_certificates). The CSR is checked here first
     * so a bad one is explained without a round trip.
     * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/create/
     */
    async issueClientCertificate({ csr, validityDays }: { csr: string; validityDays: number }): Promise<ClientCertificate> {
      let pem: string;
      try {
        pem = (await parseCsr(csr)).pem;
      } catch (e) {
        throw door.fail(e, 'issueClientCertificate', R);
      }
      const created = await door.call('issueClientCertificate', R, undefined, () => sdk.clientCertificates.create({ zone_id, csr: pem, validity_days: validityDays }));
      return toClientCertificate(created);
    },

    iterateClientCertificates: iterate,

    /** Every client certificate of the zone (all pages: one request per 50), optionally of one status. */
    async listClientCertificates(opts: StatusFilter = {}): Promise<ClientCertificate[]> {
      const out: ClientCertificate[] = [];
      for await (const c of iterate(opts)) out.push(c);
      return out;
    },

    /** One page (1-based), oldest first as Cloudflare lists them: reconcile resumes at a page. */
    async listClientCertificatesPage(page: number, opts: { perPage?: number } = {}): Promise<CertificatePage> {
      const perPage = opts.perPage ?? CLOUDFLARE_PAGE_SIZE;
      const result = await door.call('listClientCertificates', R, undefined, () => sdk.clientCertificates.list({ zone_id, status: 'all', page, per_page: perPage }));
      const info = (result.result_info ?? {}) as { total_pages?: number; total_count?: number };
      return {
        items: result.result.map(toListed),
        page,
        perPage,
        ...(typeof info.total_pages === 'number' ? { totalPages: info.total_pages } : {}),
        ...(typeof info.total_count === 'number' ? { totalCount: info.total_count } : {}),
      };
    },

    async getClientCertificate(id: string): Promise<ClientCertificate> {
      return toClientCertificate(await door.call('getClientCertificate', R, id, () => sdk.clientCertificates.get(id, { zone_id })));
    },

    /**
     * Moves a certificate to pending_revocation; Cloudflare completes it to revoked shortly after.
     * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/delete/
     */
    async revokeClientCertificate(id: string): Promise<ClientCertificate> {
      return toClientCertificate(await door.call('revokeClientCertificate', R, id, () => sdk.clientCertificates.delete(id, { zone_id })));
    },

    /** pending_revocation/revoked → pending_reactivation → active. @see https://developers.cloudflare.com/api/resources/client_certificates/methods/edit/ */
    async reactivateClientCertificate(id: string): Promise<ClientCertificate> {
      return toClientCertificate(await door.call('reactivateClientCertificate', R, id, () => sdk.clientCertificates.edit(id, { zone_id, reactivate: true })));
    },
  };
}
