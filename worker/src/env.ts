import type { DeviceReadings } from './device-readings';
import type { DeviceCheckEnv } from './devicecheck';
import type { CertificateRegistry } from './registry';
import type { EstStore } from './est-store';

/** Bindings from wrangler.toml; the strings are secrets (EXPORT_TOKEN, APPLE_JWT_*) or optional vars. */
export interface Env extends DeviceCheckEnv {
  READINGS: DurableObjectNamespace<DeviceReadings>;
  REGISTRY: DurableObjectNamespace<CertificateRegistry>;
  EST: DurableObjectNamespace<EstStore>;
  EXPORT_TOKEN?: string;
  /** Optional var: refuse readings older than this many days (default: only those before 2000-01-01). */
  READINGS_MAX_AGE_DAYS?: string;
  /** PEM of the CA certificate(s) EST's cacerts returns: the zone's managed CA for client certificates. */
  EST_CA_CERTS?: string;
  /** Retry-After of EST's 202 answers, seconds (default 30). */
  EST_RETRY_AFTER_SECONDS?: string;
}
