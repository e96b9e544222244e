/**
 * The local Cloudflare's account: identity (zone id, credentials), the two CAs, and the zone's
 * client certificates, custom CSRs, custom hostnames and hostname associations. Everything the
 * REST API does goes through here; the edge reads it through the EdgeStore methods at the bottom.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isPkiError, normalizeSerial, parseCertificate, parseCertificateChain, parseCsr, type ParsedCertificate } from '@/lib/pki';
import { sha256Hex, webcrypto, x509 } from '@/lib/pki/crypto';
import { createCsr, generateKeyPair, exportPrivateKeyPem, importPrivateKeyPem, publicKeyFromPrivate } from '@/lib/pki/keys';
import { toCrlf } from '@/lib/pki/pem';
import {
  createCa,
  issueClientCertificate,
  loadCa,
  randomSerialHex,
  ServerCertificateIssuer,
  signCsrWithPublicCa,
  wholeSecond,
  type CaFiles,
  type LoadedCa,
} from './ca';
import * as E from './errors';
import { hostnameProblem, nameCovers } from './hostnames';
import { atomicWriteFileSync, Journal } from './persist';

export type CertificateStatus = 'active' | 'pending_revocation' | 'revoked' | 'pending_reactivation';
export const CERTIFICATE_STATUSES: readonly CertificateStatus[] = ['active', 'pending_revocation', 'revoked', 'pending_reactivation'];

export interface FaultConfig {
  /** Added to every /client/v4 request before it is handled. */
  latencyMs: number;
  /** Share (0..1) of /client/v4 requests answered 5xx before they are handled (nothing changes). */
  errorRate: number;
  /** Share (0..1) of /client/v4 requests whose connection is dropped before they are handled. */
  dropRate: number;
  /** Seed for the fault dice, so a test's sequence of faults repeats exactly. */
  seed?: number;
}

export interface RateLimitConfig {
  /** Requests allowed per credential per window. Cloudflare: 1,200. */
  limit: number;
  /** Cloudflare: 5 minutes. */
  windowMs: number;
  /** How long every call is refused once over the limit. Cloudflare: "the next five minutes". */
  lockoutMs: number;
}

export interface EmulatorConfig {
  /** pending_revocation → revoked after this long. */
  revocationDelayMs: number;
  /** pending_reactivation → active after this long. */
  reactivationDelayMs: number;
  /** Custom hostnames with a custom certificate go from pending to active after this long. */
  hostnameActivationDelayMs: number;
  /** Unrevoked client certificates a zone may hold; null = no limit. */
  clientCertificateQuota: number | null;
  /** null disables rate limiting. */
  rateLimit: RateLimitConfig | null;
  faults: FaultConfig;
}

/** @see https://developers.cloudflare.com/fundamentals/api/reference/limits/ */
export const CLOUDFLARE_RATE_LIMIT: RateLimitConfig = { limit: 1200, windowMs: 5 * 60_000, lockoutMs: 5 * 60_000 };

export function defaultConfig(): EmulatorConfig {
  return {
    revocationDelayMs: 2_000,
    reactivationDelayMs: 2_000,
    hostnameActivationDelayMs: 2_000,
    clientCertificateQuota: null,
    rateLimit: { ...CLOUDFLARE_RATE_LIMIT },
    faults: { latencyMs: 0, errorRate: 0, dropRate: 0 },
  };
}

export interface Identity {
  zoneId: string;
  accountTag: string;
  apiToken: string;
  apiEmail: string;
  apiKey: string;
  zoneCaId: string;
  createdAt: string;
}

export interface ClientCertRecord {
  id: string;
  seq: number;
  certificate: string;
  csr: string;
  serial_number: string;
  serialUpper: string;
  ski: string;
  fingerprint_sha256: string;
  signature: string;
  common_name: string;
  organization: string;
  organizational_unit: string;
  country: string;
  state: string;
  location: string;
  issued_on: string;
  expires_on: string;
  validity_days: number;
  status: CertificateStatus;
  /** Epoch ms when a pending_* status completes. */
  pending_until?: number;
}

export type CustomCsrKeyType = 'rsa2048' | 'p256v1';

export interface CustomCsrRecord {
  id: string;
  seq: number;
  created_at: string;
  key_type: CustomCsrKeyType;
  common_name: string;
  country: string;
  state: string;
  locality: string;
  organization: string;
  organizational_unit?: string;
  sans: string[];
  csr: string;
  name?: string;
  description?: string;
  /** Never leaves the emulator (seed 004: the key stays with Cloudflare). */
  private_key: string;
  spkiSha256: string;
}

export interface CustomHostnameSsl {
  id: string;
  type: 'dv';
  method?: 'http' | 'txt' | 'email';
  bundle_method: 'ubiquitous' | 'optimal' | 'force';
  settings: Record<string, unknown>;
  wildcard: boolean;
  custom_csr_id?: string;
  hosts?: string[];
  issuer?: string;
  serial_number?: string;
  signature?: string;
  uploaded_on?: string;
  expires_on?: string;
  /** Kept to serve the hostname later; not echoed back. */
  custom_certificate?: string;
}

export interface CustomHostnameRecord {
  id: string;
  seq: number;
  hostname: string;
  created_at: string;
  custom_metadata?: Record<string, string>;
  custom_origin_server?: string;
  custom_origin_sni?: string;
  ssl: CustomHostnameSsl;
  ownership_token: string;
  /** Epoch ms when the hostname (and a custom certificate) becomes active; undefined = stays pending (DCV never completes locally). */
  active_at?: number;
}

interface Snapshot {
  version: 1;
  seq: number;
  identity: Identity;
  certificates: ClientCertRecord[];
  customCsrs: CustomCsrRecord[];
  customHostnames: CustomHostnameRecord[];
  hostnameAssociations: string[];
}

type Op =
  | { t: 'identity'; v: Identity }
  | { t: 'cert'; v: ClientCertRecord }
  | { t: 'csr'; v: CustomCsrRecord }
  | { t: 'csr-del'; id: string }
  | { t: 'host'; v: CustomHostnameRecord }
  | { t: 'host-del'; id: string }
  | { t: 'assoc'; v: string[] }
  | { t: 'reset' };

export interface OpenStoreOptions {
  zoneId?: string;
  apiToken?: string;
  apiEmail?: string;
  apiKey?: string;
  config?: Partial<EmulatorConfig>;
}

export interface Page<T> {
  items: T[];
  page: number;
  perPage: number;
  totalCount: number;
}

export const MAX_VALIDITY_DAYS = 5475; // 15 years, the longest the dashboard offers
const DAY_MS = 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const isoSeconds = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function newIdentity(opts: OpenStoreOptions): Identity {
  return {
    zoneId: opts.zoneId ?? randomBytes(16).toString('hex'),
    accountTag: randomBytes(16).toString('hex'),
    // 40 characters like Cloudflare API tokens.
    apiToken: opts.apiToken ?? randomBytes(30).toString('base64url'),
    apiEmail: opts.apiEmail ?? 'admin@certfleet.local',
    // Global API keys are 37 lowercase hex characters.
    apiKey: opts.apiKey ?? randomBytes(19).toString('hex').slice(0, 37),
    zoneCaId: randomUUID(),
    createdAt: new Date().toISOString(),
  };
}

function mergeConfig(base: EmulatorConfig, patch: Partial<EmulatorConfig> = {}): EmulatorConfig {
  return {
    ...base,
    ...patch,
    rateLimit: patch.rateLimit === null ? null : patch.rateLimit ? { ...(base.rateLimit ?? CLOUDFLARE_RATE_LIMIT), ...patch.rateLimit } : base.rateLimit,
    faults: { ...base.faults, ...(patch.faults ?? {}) },
  };
}

/** Issuer organisation without spaces and punctuation ("DigiCert Inc" → "DigiCertInc"), as custom hostname ssl.issuer shows it. */
function issuerTag(cert: ParsedCertificate): string {
  return (cert.issuer.O ?? cert.issuer.CN ?? '').replace(/[^A-Za-z0-9]/g, '');
}

export class EmulatorStore {
  readonly dataDir: string;
  readonly caDir: string;
  config: EmulatorConfig;

  private identity!: Identity;
  private zoneCa!: LoadedCa;
  private publicCa!: LoadedCa;
  private serverIssuer!: ServerCertificateIssuer;
  private journal: Journal<Snapshot, Op>;
  private seq = 0;
  private certs = new Map<string, ClientCertRecord>();
  private bySerial = new Map<string, string>();
  private csrs = new Map<string, CustomCsrRecord>();
  private hosts = new Map<string, CustomHostnameRecord>();
  private associations: string[] = [];
  /** Quota slots held by issuances still being signed, so two concurrent POSTs cannot both take the last slot. */
  private reserved = 0;
  private readonly initialConfig: EmulatorConfig;

  private constructor(dataDir: string, config: EmulatorConfig) {
    this.dataDir = path.resolve(dataDir);
    this.caDir = path.join(this.dataDir, 'ca');
    this.journal = new Journal<Snapshot, Op>(this.dataDir);
    this.config = config;
    this.initialConfig = structuredClone(config);
  }

  /**
   * Opens (or creates on first use) the emulator state under `dataDir`: CA keys and the zone id
   * are made once and kept; given zoneId/apiToken/apiEmail/apiKey replace the stored ones.
   */
  static async open(dataDir: string, opts: OpenStoreOptions = {}): Promise<EmulatorStore> {
    const store = new EmulatorStore(dataDir, mergeConfig(defaultConfig(), opts.config));
    await store.load(opts);
    return store;
  }

  private async load(opts: OpenStoreOptions): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    const { snapshot, ops } = this.journal.load();
    if (snapshot) this.applySnapshot(snapshot);
    for (const op of ops) this.apply(op);
    const given = { zoneId: opts.zoneId, apiToken: opts.apiToken, apiEmail: opts.apiEmail, apiKey: opts.apiKey };
    if (!this.identity) {
      this.identity = newIdentity(opts);
    } else {
      for (const [k, v] of Object.entries(given)) if (v) (this.identity as unknown as Record<string, string>)[k] = v;
    }
    this.zoneCa = await loadCa(
      await this.loadOrCreateCa('zone-ca', {
        C: 'US',
        ST: 'California',
        L: 'San Francisco',
        O: 'Cloudflare, Inc.',
        OU: 'certfleet local emulator',
        CN: `Managed CA ${this.identity.accountTag}`,
      }, 0),
    );
    this.publicCa = await loadCa(
      await this.loadOrCreateCa('public-ca', { C: 'US', O: 'certfleet local emulator', CN: 'certfleet Local Public Root CA' }),
    );
    this.serverIssuer = new ServerCertificateIssuer(this.publicCa);
    this.compact();
  }

  private async loadOrCreateCa(name: string, subject: Parameters<typeof createCa>[0], pathLength?: number): Promise<CaFiles> {
    const certFile = path.join(this.caDir, `${name}.pem`);
    const keyFile = path.join(this.caDir, `${name}.key`);
    if (existsSync(certFile) && existsSync(keyFile)) {
      return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
    }
    const files = await createCa(subject, 15, pathLength);
    atomicWriteFileSync(keyFile, files.keyPem, 0o600);
    atomicWriteFileSync(certFile, files.certPem, 0o644);
    chmodSync(certFile, 0o644);
    return files;
  }

  private applySnapshot(s: Snapshot): void {
    this.identity = s.identity;
    this.seq = s.seq;
    for (const c of s.certificates) this.putCert(c);
    for (const c of s.customCsrs) this.csrs.set(c.id, c);
    for (const h of s.customHostnames) this.hosts.set(h.id, h);
    this.associations = s.hostnameAssociations;
  }

  private apply(op: Op): void {
    switch (op.t) {
      case 'identity':
        this.identity = op.v;
        break;
      case 'cert':
        this.putCert(op.v);
        this.seq = Math.max(this.seq, op.v.seq);
        break;
      case 'csr':
        this.csrs.set(op.v.id, op.v);
        this.seq = Math.max(this.seq, op.v.seq);
        break;
      case 'csr-del':
        this.csrs.delete(op.id);
        break;
      case 'host':
        this.hosts.set(op.v.id, op.v);
        this.seq = Math.max(this.seq, op.v.seq);
        break;
      case 'host-del':
        this.hosts.delete(op.id);
        break;
      case 'assoc':
        this.associations = op.v;
        break;
      case 'reset':
        this.certs.clear();
        this.bySerial.clear();
        this.csrs.clear();
        this.hosts.clear();
        this.associations = [];
        break;
    }
  }

  private putCert(c: ClientCertRecord): void {
    this.certs.set(c.id, c);
    this.bySerial.set(c.serialUpper, c.id);
  }

  private record(op: Op): void {
    this.apply(op);
    if (this.journal.append(op)) this.compact();
  }

  private snapshot(): Snapshot {
    return {
      version: 1,
      seq: this.seq,
      identity: this.identity,
      certificates: [...this.certs.values()],
      customCsrs: [...this.csrs.values()],
      customHostnames: [...this.hosts.values()],
      hostnameAssociations: this.associations,
    };
  }

  /** Writes the snapshot and empties the journal (also done on open and stop). */
  compact(): void {
    this.journal.compact(this.snapshot());
  }

  // ---------------------------------------------------------------- identity, CAs, config

  get zoneId(): string {
    return this.identity.zoneId;
  }
  get accountTag(): string {
    return this.identity.accountTag;
  }
  get apiToken(): string {
    return this.identity.apiToken;
  }
  get apiEmail(): string {
    return this.identity.apiEmail;
  }
  get apiKey(): string {
    return this.identity.apiKey;
  }
  get certificateAuthority(): { id: string; name: string } {
    return { id: this.identity.zoneCaId, name: `Cloudflare Managed CA for account ${this.identity.accountTag}` };
  }
  /** Paths of the CA certificates (PEM) for openssl -CAfile, curl --cacert and devices. */
  get caFiles(): { zone: string; public: string } {
    return { zone: path.join(this.caDir, 'zone-ca.pem'), public: path.join(this.caDir, 'public-ca.pem') };
  }

  updateConfig(patch: Partial<EmulatorConfig>): EmulatorConfig {
    this.config = mergeConfig(this.config, patch);
    return this.config;
  }

  /** Empties the zone (certificates, CSRs, hostnames, associations) and restores the start-up config. Keeps CAs and credentials. */
  reset(): void {
    this.record({ t: 'reset' });
    this.reserved = 0;
    this.config = structuredClone(this.initialConfig);
    this.compact();
  }

  private nextSeq(): number {
    return ++this.seq;
  }

  // ---------------------------------------------------------------- client certificates

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
      certificate_authority: this.certificateAuthority,
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
    for (const c of this.certs.values()) if (this.effectiveStatus(c, now) !== 'revoked') n++;
    return n;
  }

  private takeQuotaSlot(): void {
    const quota = this.config.clientCertificateQuota;
    if (quota !== null && this.unrevokedCount() + this.reserved >= quota) throw E.clientCertQuotaExceeded(quota);
    this.reserved++;
  }

  /**
   * POST client_certificates: signs the CSR with the zone's managed CA.
   * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/create/
   */
  async createClientCertificate(body: { csr?: unknown; validity_days?: unknown }): Promise<ClientCertRecord> {
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
      const certificate = await issueClientCertificate(this.zoneCa, { csrDer: csr.der, serialHex: serial, notBefore, notAfter });
      const issued = await parseCertificate(certificate);
      const record: ClientCertRecord = {
        id: randomUUID(),
        seq: this.nextSeq(),
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
      this.record({ t: 'cert', v: record });
      return record;
    } finally {
      this.reserved--;
    }
  }

  getClientCertificate(id: string): ClientCertRecord {
    const c = this.certs.get(id);
    if (!c) throw E.clientCertNotFound();
    return c;
  }

  /** All certificates in issue order, optionally of one status (`all` = every status). */
  listClientCertificates(status?: CertificateStatus | 'all'): ClientCertRecord[] {
    const now = Date.now();
    const all = [...this.certs.values()].sort((a, b) => a.seq - b.seq);
    return !status || status === 'all' ? all : all.filter((c) => this.effectiveStatus(c, now) === status);
  }

  /**
   * DELETE: active → pending_revocation, revoked after the configured delay. The quota slot is
   * released once revoked.
   * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/delete/
   */
  revokeClientCertificate(id: string): ClientCertRecord {
    const c = this.getClientCertificate(id);
    const now = Date.now();
    const status = this.effectiveStatus(c, now);
    if (status === 'revoked' || status === 'pending_revocation') {
      throw E.clientCertBadTransition(`The client certificate is already ${status.replace('_', ' ')}.`);
    }
    const v: ClientCertRecord = { ...c, status: 'pending_revocation', pending_until: now + this.config.revocationDelayMs };
    this.record({ t: 'cert', v });
    return v;
  }

  /**
   * Completes pending revocations and reactivations now, as Cloudflare eventually does: a test's "and
   * then Cloudflare settles it", without waiting out the configured delay (POST /emulator/settle).
   */
  settlePending(now = Date.now()): number {
    let settled = 0;
    for (const c of [...this.certs.values()]) {
      if (c.pending_until === undefined || now >= c.pending_until) continue;
      this.record({ t: 'cert', v: { ...c, pending_until: now } });
      settled++;
    }
    return settled;
  }

  /**
   * PATCH {reactivate: true}: pending_revocation (or revoked) → pending_reactivation, active after
   * the configured delay.
   * @see https://developers.cloudflare.com/api/resources/client_certificates/methods/edit/
   */
  reactivateClientCertificate(id: string): ClientCertRecord {
    const c = this.getClientCertificate(id);
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
    const v: ClientCertRecord = { ...c, status: 'pending_reactivation', pending_until: now + this.config.reactivationDelayMs };
    this.record({ t: 'cert', v });
    return v;
  }

  // ---------------------------------------------------------------- custom CSRs

  presentCsr(c: CustomCsrRecord) {
    const out: Record<string, unknown> = {
      id: c.id,
      created_at: c.created_at,
      key_type: c.key_type,
      common_name: c.common_name,
      country: c.country,
      state: c.state,
      locality: c.locality,
      organization: c.organization,
      sans: c.sans,
      csr: c.csr,
    };
    if (c.organizational_unit !== undefined) out.organizational_unit = c.organizational_unit;
    if (c.name !== undefined) out.name = c.name;
    if (c.description !== undefined) out.description = c.description;
    return out;
  }

  /**
   * POST custom_csrs with the documented validation; the key is made here and never returned.
   * @see ../shared/cloudflare-api/custom-csrs.json
   */
  async createCustomCsr(body: Record<string, unknown>): Promise<CustomCsrRecord> {
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).trim() : undefined);
    const country = str('country');
    if (!country) throw E.csr.countryRequired();
    if (!/^[A-Za-z]{2}$/.test(country)) throw E.csr.countryInvalid();
    const state = str('state');
    if (!state) throw E.csr.stateRequired();
    const locality = str('locality');
    if (!locality) throw E.csr.localityRequired();
    const organization = str('organization');
    if (!organization) throw E.csr.organizationRequired();
    const commonName = str('common_name');
    if (!commonName) throw E.csr.commonNameRequired();
    // RFC 5280 ub-common-name: 64.
    if (commonName.length > 64) throw E.csr.commonNameTooLong(64);
    const sans = body.sans;
    if (!Array.isArray(sans) || sans.length === 0) throw E.csr.sanRequired();
    for (const san of sans) {
      if (typeof san === 'string' && san.length > 255) throw E.csr.sanInvalid();
      const problem = hostnameProblem(san);
      if (problem === 'invalid') throw E.csr.sanInvalid();
      if (problem === 'nonAscii') throw E.csr.sanNonAscii();
      if (problem === 'reserved') throw E.csr.sanReserved();
      if (problem === 'unparsable') throw E.csr.sanUnparsable(`publicsuffix: cannot derive eTLD+1 for domain ${String(san)}`);
      if (problem === 'exampleDomain') throw E.csr.sanExampleDomain();
    }
    const keyType = body.key_type ?? 'rsa2048';
    if (keyType !== 'rsa2048' && keyType !== 'p256v1') throw E.csr.keyTypeInvalid();
    const ou = str('organizational_unit');
    const keys = await generateKeyPair(keyType === 'rsa2048' ? { algorithm: 'RSA', rsaBits: 2048 } : { algorithm: 'EC' });
    const csrPem = await createCsr({
      keys,
      subject: { C: country.toUpperCase(), ST: state, L: locality, O: organization, OU: ou || undefined, CN: commonName },
      sans: sans as string[],
    });
    const parsed = await parseCsr(csrPem);
    const record: CustomCsrRecord = {
      id: randomUUID(),
      seq: this.nextSeq(),
      created_at: new Date().toISOString(),
      key_type: keyType,
      common_name: commonName,
      country: country.toUpperCase(),
      state,
      locality,
      organization,
      ...(ou ? { organizational_unit: ou } : {}),
      sans: sans as string[],
      csr: csrPem,
      ...(typeof body.name === 'string' ? { name: body.name } : {}),
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      private_key: await exportPrivateKeyPem(keys.privateKey),
      spkiSha256: parsed.spkiSha256,
    };
    this.record({ t: 'csr', v: record });
    return record;
  }

  getCustomCsr(id: string): CustomCsrRecord {
    if (!UUID.test(id)) throw E.csr.idInvalid();
    const c = this.csrs.get(id);
    if (!c) throw E.csr.notFound();
    return c;
  }

  listCustomCsrs(order: 'name' | 'account_tag' | 'created_at' = 'created_at', direction: 'asc' | 'desc' = 'asc'): CustomCsrRecord[] {
    const key = (c: CustomCsrRecord): string | number => (order === 'name' ? (c.name ?? c.common_name) : c.seq);
    const list = [...this.csrs.values()].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      return ka < kb ? -1 : ka > kb ? 1 : a.seq - b.seq;
    });
    return direction === 'desc' ? list.reverse() : list;
  }

  /** Refused (409, 1420) while a custom hostname's certificate uses the CSR's key. */
  deleteCustomCsr(id: string): void {
    this.getCustomCsr(id);
    for (const h of this.hosts.values()) if (h.ssl.custom_csr_id === id) throw E.csr.inUse();
    this.record({ t: 'csr-del', id });
  }

  // ---------------------------------------------------------------- custom hostnames

  presentHostname(h: CustomHostnameRecord) {
    const now = Date.now();
    const active = h.active_at !== undefined && now >= h.active_at;
    const { custom_certificate: _cert, ...ssl } = h.ssl;
    void _cert;
    const sslStatus = h.ssl.custom_certificate ? (active ? 'active' : 'pending_deployment') : 'pending_validation';
    return {
      id: h.id,
      hostname: h.hostname,
      created_at: h.created_at,
      status: active ? 'active' : 'pending',
      ssl: { ...ssl, status: sslStatus, validation_records: [], validation_errors: [] },
      ...(h.custom_metadata ? { custom_metadata: h.custom_metadata } : {}),
      ...(h.custom_origin_server ? { custom_origin_server: h.custom_origin_server } : {}),
      ...(h.custom_origin_sni ? { custom_origin_sni: h.custom_origin_sni } : {}),
      ownership_verification: { type: 'txt', name: `_cf-custom-hostname.${h.hostname}`, value: h.ownership_token },
      ownership_verification_http: {
        http_url: `http://${h.hostname}/.well-known/cf-custom-hostname-challenge/${h.id}`,
        http_body: h.ownership_token,
      },
    };
  }

  /**
   * POST custom_hostnames. With ssl.custom_csr_id + ssl.custom_certificate the certificate must be
   * for the CSR's key and chain to the (emulated) public trust store; self-signed is refused.
   * @see ../shared/seeds/004 and https://developers.cloudflare.com/cloudflare-for-platforms/cloudflare-for-saas/security/certificate-management/custom-certificates/certificate-signing-requests/
   */
  async createCustomHostname(body: Record<string, unknown>): Promise<CustomHostnameRecord> {
    const hostname = typeof body.hostname === 'string' ? body.hostname.trim().toLowerCase() : body.hostname;
    const problem = hostnameProblem(hostname);
    if (problem === 'invalid') throw E.host.invalid();
    if (problem === 'nonAscii') throw E.host.nonAscii();
    if (problem === 'reserved') throw E.host.reserved();
    if (problem === 'unparsable') throw E.host.unparsable(`publicsuffix: cannot derive eTLD+1 for domain ${String(hostname)}`);
    if (problem === 'exampleDomain') throw E.host.exampleDomain();
    const name = hostname as string;
    for (const h of this.hosts.values()) if (h.hostname === name) throw E.host.duplicate();

    const sslIn = body.ssl;
    if (sslIn === undefined || sslIn === null || typeof sslIn !== 'object' || Array.isArray(sslIn)) throw E.host.sslInvalid();
    const s = sslIn as Record<string, unknown>;
    const bundle = s.bundle_method ?? 'ubiquitous';
    if (bundle !== 'ubiquitous' && bundle !== 'optimal' && bundle !== 'force') throw E.host.badBundleMethod();
    const ssl: CustomHostnameSsl = {
      id: randomUUID(),
      type: 'dv',
      bundle_method: bundle,
      settings: typeof s.settings === 'object' && s.settings ? (s.settings as Record<string, unknown>) : {},
      wildcard: s.wildcard === true,
    };
    let activeAt: number | undefined;

    if (s.custom_certificate !== undefined || s.custom_csr_id !== undefined || s.custom_key !== undefined) {
      if (typeof s.custom_certificate !== 'string') throw E.host.sslInvalid();
      if (s.custom_certificate.trim() === '') throw E.host.certEmpty();
      let expectedSpki: string;
      if (s.custom_csr_id !== undefined) {
        if (typeof s.custom_csr_id !== 'string' || !UUID.test(s.custom_csr_id)) throw E.host.csrIdInvalid();
        const csrRec = this.csrs.get(s.custom_csr_id);
        if (!csrRec) throw E.host.csrNotFound();
        expectedSpki = csrRec.spkiSha256;
        ssl.custom_csr_id = csrRec.id;
      } else {
        if (typeof s.custom_key !== 'string') throw E.host.sslInvalid();
        try {
          const key = await importPrivateKeyPem(s.custom_key);
          expectedSpki = await sha256Hex(await webcrypto.subtle.exportKey('spki', await publicKeyFromPrivate(key)));
        } catch {
          throw E.host.keyUnparsable();
        }
      }
      const leaf = await this.checkCustomCertificate(s.custom_certificate, name);
      if (leaf.spkiSha256 !== expectedSpki) throw E.host.keyMismatch();
      Object.assign(ssl, {
        hosts: leaf.sans.length ? leaf.sans : [leaf.subject.CN ?? name],
        issuer: issuerTag(leaf),
        serial_number: BigInt(`0x${leaf.serialNumber}`).toString(10),
        signature: leaf.signatureAlgorithm,
        uploaded_on: new Date().toISOString(),
        expires_on: leaf.notAfter.toISOString(),
        custom_certificate: leaf.pem,
      });
      activeAt = Date.now() + this.config.hostnameActivationDelayMs;
    } else {
      const method = s.method ?? 'http';
      if (method !== 'http' && method !== 'txt' && method !== 'email') throw E.host.sslInvalid();
      ssl.method = method;
    }

    const meta = body.custom_metadata;
    const record: CustomHostnameRecord = {
      id: randomUUID(),
      seq: this.nextSeq(),
      hostname: name,
      created_at: new Date().toISOString(),
      ssl,
      ownership_token: randomUUID(),
      ...(meta && typeof meta === 'object' && !Array.isArray(meta) ? { custom_metadata: meta as Record<string, string> } : {}),
      ...(typeof body.custom_origin_server === 'string' ? { custom_origin_server: body.custom_origin_server } : {}),
      ...(typeof body.custom_origin_sni === 'string' ? { custom_origin_sni: body.custom_origin_sni } : {}),
      active_at: activeAt,
    };
    this.record({ t: 'host', v: record });
    return record;
  }

  /** The leaf of an uploaded chain, after Cloudflare's checks on it (parse, trust, hostname, algorithm). */
  private async checkCustomCertificate(pem: string, hostname: string): Promise<ParsedCertificate> {
    let chain: ParsedCertificate[];
    try {
      chain = await parseCertificateChain(pem);
    } catch {
      throw E.host.certUnparsable();
    }
    // A lone certificate is the leaf even if it says CA:TRUE (openssl req -x509 does), so a
    // self-signed upload is refused for trust (1441), as Cloudflare words it, not as "no leaf".
    const leaves = chain.length === 1 ? chain : chain.filter((c) => !c.isCa);
    if (leaves.length === 0) throw E.host.noLeaf();
    if (leaves.length > 1) throw E.host.multipleLeaves();
    const leaf = leaves[0];
    if (!['SHA256WithRSA', 'ECDSAWithSHA256', 'SHA1WithRSA'].includes(leaf.signatureAlgorithm)) throw E.host.unsupportedSignature();
    if (!(await this.chainsToPublicCa(leaf.pem))) throw E.host.untrusted();
    const names = leaf.sanEntries.filter((n) => n.type === 'dns').map((n) => n.value);
    if (!(names.length ? names : [leaf.subject.CN ?? '']).some((n) => nameCovers(n, hostname))) throw E.host.hostnameNotInCert(hostname);
    return leaf;
  }

  /** The emulated "public trust store" holds one root: the public CA. Self-signed or foreign certificates fail here. */
  private async chainsToPublicCa(leafPem: string): Promise<boolean> {
    const cert = new x509.X509Certificate(leafPem);
    if (cert.issuer !== this.publicCa.cert.subject) return false;
    try {
      return await cert.verify({ publicKey: this.publicCa.cert.publicKey, signatureOnly: false });
    } catch {
      return false;
    }
  }

  getCustomHostname(id: string): CustomHostnameRecord {
    if (!UUID.test(id)) throw E.host.idInvalid();
    const h = this.hosts.get(id);
    if (!h) throw E.host.notFound();
    return h;
  }

  listCustomHostnames(): CustomHostnameRecord[] {
    return [...this.hosts.values()].sort((a, b) => a.seq - b.seq);
  }

  deleteCustomHostname(id: string): void {
    this.getCustomHostname(id);
    this.record({ t: 'host-del', id });
  }

  // ---------------------------------------------------------------- hostname associations

  /**
   * PUT replaces the hostnames on which the zone's managed CA's client certificates are requested.
   * @see https://developers.cloudflare.com/api/resources/certificate_authorities/subresources/hostname_associations/methods/update/
   */
  setHostnameAssociations(hostnames: unknown): string[] {
    const list = hostnames === undefined ? [] : hostnames;
    if (!Array.isArray(list)) throw E.invalidAssociationHostname(String(list));
    const clean: string[] = [];
    for (const h of list) {
      const p = hostnameProblem(h);
      // Reserved/parse rules are SaaS-only; here a name only has to be a hostname (localhost names are fine locally).
      if (p === 'invalid' || p === 'nonAscii') throw E.invalidAssociationHostname(String(h));
      const lower = (h as string).toLowerCase();
      if (!clean.includes(lower)) clean.push(lower);
    }
    this.record({ t: 'assoc', v: clean });
    return clean;
  }

  // ---------------------------------------------------------------- for the edge and the CLI (EdgeStore)

  /** PEM of the zone's managed client CA: the trust anchor for client certificates. */
  zoneCaCertPem(): string {
    return this.zoneCa.certPem;
  }

  /** PEM of the emulator's "public" CA (signs custom-CSR certificates and the edge's TLS certificate). */
  publicCaCertPem(): string {
    return this.publicCa.certPem;
  }

  /** Status of a client certificate by serial, in any hex form (normalised to openssl's uppercase). */
  certificateStatusBySerial(serialUpperHex: string): CertificateStatus | undefined {
    let key: string;
    try {
      key = normalizeSerial(serialUpperHex);
    } catch {
      return undefined;
    }
    const id = this.bySerial.get(key);
    const c = id ? this.certs.get(id) : undefined;
    return c ? this.effectiveStatus(c) : undefined;
  }

  hostnameAssociations(): string[] {
    return [...this.associations];
  }

  /** A TLS server certificate for these names (DNS names and IPs), signed by the public CA. Synchronous. */
  issueServerCertificate(hostnames: string[]): { certPem: string; keyPem: string } {
    return this.serverIssuer.issue(hostnames);
  }

  /** Signs a CSR as the public CA would (seed 004's customer CA step): `npm run emulator:sign`. */
  async signWithPublicCa(csrPem: string, days = 90): Promise<string> {
    const csr = await parseCsr(csrPem);
    return signCsrWithPublicCa(this.publicCa, csr.der, days);
  }
}
