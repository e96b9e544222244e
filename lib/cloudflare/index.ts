/**
 * certfleet's only door to Cloudflare (server only: it holds the API token). Import the verbs:
 *   import { issueClientCertificate, revokeClientCertificate } from '@/lib/cloudflare';
 * They read CLOUDFLARE_API_TOKEN, CLOUDFLARE_ZONE_ID and CLOUDFLARE_BASE_URL on each call (so a test
 * harness can point them at a fresh emulator), and throw CloudflareError with an actionable code.
 * `import 'server-only'` is left out on purpose: it throws under tsx and vitest.
 */
import { readCloudflareConfig } from './config';
import { createCloudflareGateway, type CloudflareGateway, type GatewayOptions } from './gateway';

export { CloudflareError, isCloudflareError, type CloudflareErrorCode, type CloudflareApiErrorItem } from './errors';
export { readCloudflareConfig, describeCloudflareTarget, isLoopbackUrl, REAL_API_BASE_URL, type CloudflareConfig, type CloudflareTarget } from './config';
export {
  createCloudflareGateway,
  type CloudflareGateway,
  type GatewayOptions,
  type ClientCertificate,
  type ClientCertificateStatus,
  type CustomCsr,
  type CustomCsrInput,
  type CustomCsrKeyType,
  type CustomHostname,
  type CustomHostnameInput,
} from './gateway';

let cached: { key: string; gateway: CloudflareGateway } | undefined;

/** The gateway for the current environment (rebuilt when the CLOUDFLARE_* variables change). */
export function cloudflare(options?: GatewayOptions): CloudflareGateway {
  const config = readCloudflareConfig();
  const key = JSON.stringify([config.apiToken, config.zoneId, config.baseUrl ?? '']);
  if (options) return createCloudflareGateway(config, options);
  if (!cached || cached.key !== key) cached = { key, gateway: createCloudflareGateway(config) };
  return cached.gateway;
}

type G = CloudflareGateway;

/** Signs a CSR with the zone's managed CA. @throws CloudflareError (BAD_CSR, QUOTA_EXCEEDED, RATE_LIMITED, AUTH, …) */
export const issueClientCertificate = (input: Parameters<G['issueClientCertificate']>[0]) => cloudflare().issueClientCertificate(input);
/** Every client certificate of the zone (all pages), optionally of one status. */
export const listClientCertificates = (opts?: Parameters<G['listClientCertificates']>[0]) => cloudflare().listClientCertificates(opts);
export const iterateClientCertificates = (opts?: Parameters<G['iterateClientCertificates']>[0]) => cloudflare().iterateClientCertificates(opts);
export const getClientCertificate = (id: string) => cloudflare().getClientCertificate(id);
/** active → pending_revocation → revoked. */
export const revokeClientCertificate = (id: string) => cloudflare().revokeClientCertificate(id);
/** pending_revocation/revoked → pending_reactivation → active. */
export const reactivateClientCertificate = (id: string) => cloudflare().reactivateClientCertificate(id);
export const createCustomCsr = (input: Parameters<G['createCustomCsr']>[0]) => cloudflare().createCustomCsr(input);
export const listCustomCsrs = () => cloudflare().listCustomCsrs();
export const getCustomCsr = (id: string) => cloudflare().getCustomCsr(id);
/** @throws CloudflareError KEY_IN_USE (with .hostname) while a custom hostname uses the CSR's key */
export const deleteCustomCsr = (id: string) => cloudflare().deleteCustomCsr(id);
export const createCustomHostname = (input: Parameters<G['createCustomHostname']>[0]) => cloudflare().createCustomHostname(input);
export const listCustomHostnames = (opts?: Parameters<G['listCustomHostnames']>[0]) => cloudflare().listCustomHostnames(opts);
export const getCustomHostname = (id: string) => cloudflare().getCustomHostname(id);
export const deleteCustomHostname = (id: string) => cloudflare().deleteCustomHostname(id);
export const getHostnameAssociations = () => cloudflare().getHostnameAssociations();
export const updateHostnameAssociations = (hostnames: string[]) => cloudflare().updateHostnameAssociations(hostnames);
