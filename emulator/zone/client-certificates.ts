/**
 * API Shield client certificates: signed by the zone's managed CA, revoked and reactivated through
 * pending states that settle after the configured delays, within an optional quota.
 * @see https://developers.cloudflare.com/api/resources/client_certificates/
 */
import { randomUUID } from 'node:crypto';
import { isPkiError, normalizeSerial, parseCertificate, parseCsr } from '@/lib/pki';
import { toCrlf } from '@/lib/pki/pem';
import { issueClientCertificate, randomSerialHex, wholeSecond, type LoadedCa } from '../ca';
import type { EmulatorConfig } from '../config';
import * as E from '../errors';
import type { CertificateStatus, ClientCertRecord, Identity } from './records';
import type { ZoneState } from './state';

export const MAX_VALIDITY_DAYS = 5475; // 15 years, the longest the dashboard offers
const DAY_MS = 86_400_000;

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The managed CA as client certificates name it (`certificate_authority`). */
export function certificateAuthority(identity: Identity): { id: string; name: string } {
  return { id: identity.zoneCaId, name: `Cloudflare Managed CA for account ${identity.accountTag}` };
}

export class ClientCertificates {
  /** Quota slots held by issuances still being signed, so two concurrent POSTs cannot both take the last slot. */
  private reserved = 0;

  constructor(
    private readonly state: ZoneState,
    private readonly zoneCa: () => LoadedCa,
    private readonly config: () => EmulatorConfig,
  ) {}

  /** After a reset: no issuance is in flight any more. */
  clearReservations(): void {
    this.reserved = 0;
  }

  /** The status a certificate has now: pending transitions complete once their delay has passed. */
  effectiveStatus(c: ClientCertRecord, now = Date.now()): CertificateStatus {
    if (c.pending_until !== undefined && now >= c.pending_until) {
      if (c.status === 'pending_revocation') return 'revoked';
      if (c.status === 'pending_reactivation') return 'active';
    }
    return c.status;
  }

  /** The record as the API shows it (status settled, csr with CRLF like the real API returns it). */
  present(c: ClientCertRecord) {
    return {
      id: c.id,
      certificate: c.certificate,
      certificate_authority: certificateAuthority(this.state.identity),
      common_name: c.common_name,
      country: c.country,
      csr: toCrlf(c.csr),
      expires_on: c.expires_on,
      fingerprint_sha256: c.fingerprint_sha256,
      issued_on: c.issued_on,
      location: c.location,
      organization: c.organization,
      organizational_unit: c.organizational_unit,
      serial_number: c.serial_number,
      signature: c.signature,
      ski: c.ski,
      state: c.state,
      status: this.effectiveStatus(c),
      validity_days: c.validity_days,
    };
  }

  private unrevokedCount(): number {
    let n = 0;
    const now = Date.now();
    for (const c of this.state.certs.values()) if (this.effectiveStatus(c, now) !== 'revoked') n++;
    return n;
  }

  private takeQuotaSlot(): void {
    const quota = this.config().clientCertificateQuota;
    if (quota !== null && this.unrevokedCount() + this.reserved >= quota) throw E.clientCertQuotaExceeded(quota);
    this.reserved++;
  }

  /**
   * POST client_certificates: signs the CSR with the zone's managed CA.
   * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/create/
   */
  async create(body: { csr?: unknown; validity_days?: unknown }): Promise<ClientCertRecord> {
    if (typeof body.csr !== 'string' || body.csr.trim() === '') throw E.clientCertMissingCsr();
    const days = body.validity_days;
    if (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > MAX_VALIDITY_DAYS) {
      throw E.clientCertInvalidValidity(MAX_VALIDITY_DAYS);
    }
    let csr;
    try {
      csr = await parseCsr(body.csr);
    } catch (e) {
      if (isPkiError(e)) throw E.clientCertInvalidCsr(e.message);
      throw e;
    }
    this.takeQuotaSlot();
    try {
      const serial = randomSerialHex();
      const notBefore = wholeSecond(Date.now());
      const notAfter = new Date(notBefore.getTime() + days * DAY_MS);
      const certificate = await issueClientCertificate(this.zoneCa(), { csrDer: csr.der, serialHex: serial, notBefore, notAfter });
      const issued = await parseCertificate(certificate);
      const record: ClientCertRecord = {
        id: randomUUID(),
        seq: this.state.nextSeq(),
        certificate,
        csr: csr.pem,
        serial_number: serial,
        serialUpper: normalizeSerial(serial),
        ski: issued.ski ?? '',
        fingerprint_sha256: issued.fingerprintSha256,
        signature: 'SHA256WithRSA',
        common_name: csr.subject.CN ?? '',
        organization: csr.subject.O ?? '',
        organizational_unit: csr.subject.OU ?? '',
        country: csr.subject.C ?? '',
        state: csr.subject.ST ?? '',
        location: csr.subject.L ?? '',
        issued_on: isoSeconds(notBefore),
        expires_on: isoSeconds(notAfter),
        validity_days: days,
        status: 'active',
      };
      this.state.record({ t: 'cert', v: record });
      return record;
    } finally {
      this.reserved--;
    }
  }

  get(id: string): ClientCertRecord {
    const c = this.state.certs.get(id);
    if (!c) throw E.clientCertNotFound();
    return c;
  }

  /** All certificates in issue order, optionally of one status (`all` = every status). */
  list(status?: CertificateStatus | 'all'): ClientCertRecord[] {
    const now = Date.now();
    const all = [...this.state.certs.values()].sort((a, b) => a.seq - b.seq);
    return !status || status === 'all' ? all : all.filter((c) => this.effectiveStatus(c, now) === status);
  }

  /**
   * DELETE: active → pending_revocation, revoked after the configured delay. The quota slot is
   * released once revoked.
   * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/delete/
   */
  revoke(id: string): ClientCertRecord {
    const c = this.get(id);
    const now = Date.now();
    const status = this.effectiveStatus(c, now);
    if (status === 'revoked' || status === 'pending_revocation') {
      throw E.clientCertBadTransition(`The client certificate is already ${status.replace('_', ' ')}.`);
    }
    const v: ClientCertRecord = { ...c, status: 'pending_revocation', pending_until: now + this.config().revocationDelayMs };
    this.state.record({ t: 'cert', v });
    return v;
  }

  /**
   * Completes pending revocations and reactivations now, as Cloudflare eventually does: a test's "and
   * then Cloudflare settles it", without waiting out the configured delay (POST /emulator/settle).
   */
  settlePending(now = Date.now()): number {
    let settled = 0;
    for (const c of [...this.state.certs.values()]) {
      if (c.pending_until === undefined || now >= c.pending_until) continue;
      this.state.record({ t: 'cert', v: { ...c, pending_until: now } });
      settled++;
    }
    return settled;
  }

  /**
   * PATCH {reactivate: true}: pending_revocation (or revoked) → pending_reactivation, active after
   * the configured delay.
   * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/edit/
   */
  reactivate(id: string): ClientCertRecord {
    const c = this.get(id);
    const now = Date.now();
    const status = this.effectiveStatus(c, now);
    if (status === 'active' || status === 'pending_reactivation') {
      throw E.clientCertBadTransition(`The client certificate is already ${status.replace('_', ' ')}; only a revoked or pending_revocation certificate can be reactivated.`);
    }
    if (status === 'revoked') {
      // A revoked certificate gave its slot back; taking it again must fit the quota.
      this.takeQuotaSlot();
      this.reserved--;
    }
    const v: ClientCertRecord = { ...c, status: 'pending_reactivation', pending_until: now + this.config().reactivationDelayMs };
    this.state.record({ t: 'cert', v });
    return v;
  }

  /** Status of a client certificate by serial, in any hex form (normalised to openssl's uppercase). */
  statusBySerial(serialUpperHex: string): CertificateStatus | undefined {
    let key: string;
    try {
      key = normalizeSerial(serialUpperHex);
    } catch {
      return undefined;
    }
    const id = this.state.bySerial.get(key);
    const c = id ? this.state.certs.get(id) : undefined;
    return c ? this.effectiveStatus(c) : undefined;
  }
}
