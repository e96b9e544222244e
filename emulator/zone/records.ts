/** What the local Cloudflare's zone holds: one record type per resource, as kept in state.json and the journal. */

export type CertificateStatus = 'active' | 'pending_revocation' | 'revoked' | 'pending_reactivation';
export const CERTIFICATE_STATUSES: readonly CertificateStatus[] = ['active', 'pending_revocation', 'revoked', 'pending_reactivation'];

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

/** Resource ids are UUIDs (see README: known differences). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The record with this id, or the resource's own Cloudflare error: `idInvalid` for an id that is not a UUID,
 * `notFound` for one the zone does not hold.
 */
export function recordById<T>(records: ReadonlyMap<string, T>, id: string, errors: { idInvalid: () => Error; notFound: () => Error }): T {
  if (!UUID.test(id)) throw errors.idInvalid();
  const record = records.get(id);
  if (!record) throw errors.notFound();
  return record;
}
