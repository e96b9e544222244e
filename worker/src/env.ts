import type { DeviceReadings } from './device-readings';
import type { DeviceCheckEnv } from './devicecheck';
import type { CertificateRegistry } from './registry';

/** Bindings from wrangler.toml; the strings are secrets (EXPORT_TOKEN, APPLE_JWT_*) or optional vars. */
export interface Env extends DeviceCheckEnv {
  READINGS: DurableObjectNamespace<DeviceReadings>;
  REGISTRY: DurableObjectNamespace<CertificateRegistry>;
  EXPORT_TOKEN?: string;
}
