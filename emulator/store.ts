/**
 * The local Cloudflare's account: identity (zone id, credentials), the two CAs and the run-time config, in front
 * of the zone's resources (zone/: client certificates, custom CSRs, custom hostnames, hostname associations,
 * over one journaled state). The REST API (api/) calls client certificates and associations through here and
 * uses `customCsrs` and `customHostnames` as they are; the edge reads the EdgeStore methods at the bottom.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseCsr } from '@/lib/pki';
import { createCa, loadCa, ServerCertificateIssuer, signCsrWithPublicCa, type CaFiles, type LoadedCa } from './ca';
import { defaultConfig, mergeConfig, type EmulatorConfig } from './config';
import { atomicWriteFileSync } from './persist';
import { certificateAuthority, ClientCertificates } from './zone/client-certificates';
import { CustomCsrs } from './zone/custom-csrs';
import { CustomHostnames } from './zone/custom-hostnames';
import { HostnameAssociations } from './zone/hostname-associations';
import type { CertificateStatus, ClientCertRecord, Identity } from './zone/records';
import { ZoneState } from './zone/state';

export { CLOUDFLARE_RATE_LIMIT, defaultConfig } from './config';
export type { EmulatorConfig, FaultConfig, RateLimitConfig } from './config';
export { MAX_VALIDITY_DAYS } from './zone/client-certificates';
export { CERTIFICATE_STATUSES } from './zone/records';
export type * from './zone/records';

export interface OpenStoreOptions {
  zoneId?: string;
  apiToken?: string;
  apiEmail?: string;
  apiKey?: string;
  config?: Partial<EmulatorConfig>;
}

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

export class EmulatorStore {
  readonly dataDir: string;
  readonly caDir: string;
  config: EmulatorConfig;

  private readonly state: ZoneState;
  private zoneCa!: LoadedCa;
  private publicCa!: LoadedCa;
  private serverIssuer!: ServerCertificateIssuer;
  private readonly initialConfig: EmulatorConfig;
  private readonly certificates: ClientCertificates;
  /** The zone's custom CSRs: the REST API (api/custom-csrs.ts) and tests use them as they are. */
  readonly customCsrs: CustomCsrs;
  /** The zone's custom hostnames: the REST API (api/custom-hostnames.ts) and tests use them as they are. */
  readonly customHostnames: CustomHostnames;
  private readonly associations: HostnameAssociations;

  private constructor(dataDir: string, config: EmulatorConfig) {
    this.dataDir = path.resolve(dataDir);
    this.caDir = path.join(this.dataDir, 'ca');
    this.state = new ZoneState(this.dataDir);
    this.config = config;
    this.initialConfig = structuredClone(config);
    const cfg = () => this.config;
    this.certificates = new ClientCertificates(this.state, () => this.zoneCa, cfg);
    this.customCsrs = new CustomCsrs(this.state);
    this.customHostnames = new CustomHostnames(this.state, () => this.publicCa, cfg);
    this.associations = new HostnameAssociations(this.state);
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
    this.state.load();
    const given = { zoneId: opts.zoneId, apiToken: opts.apiToken, apiEmail: opts.apiEmail, apiKey: opts.apiKey };
    if (!this.state.identity) {
      this.state.identity = newIdentity(opts);
    } else {
      for (const [k, v] of Object.entries(given)) if (v) (this.state.identity as unknown as Record<string, string>)[k] = v;
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

  /** Writes the snapshot and empties the journal (also done on open and stop). */
  compact(): void {
    this.state.compact();
  }

  // ---------------------------------------------------------------- identity, CAs, config

  private get identity(): Identity {
    return this.state.identity;
  }

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
    return certificateAuthority(this.identity);
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
    this.state.record({ t: 'reset' });
    this.certificates.clearReservations();
    this.config = structuredClone(this.initialConfig);
    this.compact();
  }

  // ---------------------------------------------------------------- client certificates (zone/client-certificates.ts)

  /** The status a certificate has now: pending transitions complete once their delay has passed. */
  effectiveStatus(c: ClientCertRecord, now = Date.now()): CertificateStatus {
    return this.certificates.effectiveStatus(c, now);
  }
  /** The record as the API shows it (status settled, csr with CRLF like the real API returns it). */
  present(c: ClientCertRecord) {
    return this.certificates.present(c);
  }
  createClientCertificate(body: { csr?: unknown; validity_days?: unknown }): Promise<ClientCertRecord> {
    return this.certificates.create(body);
  }
  getClientCertificate(id: string): ClientCertRecord {
    return this.certificates.get(id);
  }
  /** All certificates in issue order, optionally of one status (`all` = every status). */
  listClientCertificates(status?: CertificateStatus | 'all'): ClientCertRecord[] {
    return this.certificates.list(status);
  }
  revokeClientCertificate(id: string): ClientCertRecord {
    return this.certificates.revoke(id);
  }
  reactivateClientCertificate(id: string): ClientCertRecord {
    return this.certificates.reactivate(id);
  }
  /** Completes pending revocations and reactivations now (POST /emulator/settle); returns how many. */
  settlePending(now = Date.now()): number {
    return this.certificates.settlePending(now);
  }

  // ---------------------------------------------------------------- hostname associations (zone/hostname-associations.ts)

  setHostnameAssociations(hostnames: unknown): string[] {
    return this.associations.set(hostnames);
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
    return this.certificates.statusBySerial(serialUpperHex);
  }

  hostnameAssociations(): string[] {
    return this.associations.list();
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
