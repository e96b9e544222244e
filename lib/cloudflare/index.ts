/**
 * certfleet's only door to Cloudflare (server only: it holds the API token). No other file imports
 * the `cloudflare` SDK (lib/cloudflare/door.test.ts checks). Import the verbs:
 *   import { issueClientCertificate, revokeClientCertificate } from '@/lib/cloudflare';
 * or, for a job, the door at its priority: `cloudflare({ priority: 'background' }).getClientCertificate(id)`.
 * Every request draws from one rate budget per API token, shared through the database by every
 * process (budget.ts). The verbs read CLOUDFLARE_API_TOKEN, CLOUDFLARE_ZONE_ID and CLOUDFLARE_BASE_URL
 * on each call (so a test harness can point them at a fresh emulator) and throw CloudflareError (an
 * AppError) with an actionable code.
 *
 * Modules: door.ts (the SDK client + budget), budget.ts, client-certificates.ts, custom-csrs.ts,
 * hostnames.ts (custom hostnames, hostname associations), error-mapping.ts, errors.ts, config.ts,
 * paced.ts (the client-certificate verbs of issuance, bulk, renewal and reconcile).
 */
import 'server-only';
import type { CloudflarePriority } from './budget';
import { readCloudflareConfig } from './config';
import { createCloudflareGateway, type CloudflareGateway, type GatewayOptions } from './gateway';

export { CloudflareError, isCloudflareError, type CloudflareErrorCode, type CloudflareApiErrorItem } from './errors';
export { readCloudflareConfig, describeCloudflareTarget, isLoopbackUrl, REAL_API_BASE_URL, type CloudflareConfig, type CloudflareTarget } from './config';
export {
  CLOUDFLARE_API_POLICY,
  budgetShape,
  estimatePacedSeconds,
  rateBudgetFor,
  readRatePolicy,
  type BudgetStats,
  type CloudflarePriority,
  type RateBudget,
  type RatePolicy,
} from './budget';
export { createCloudflareGateway, type CloudflareGateway, type GatewayOptions } from './gateway';
export {
  CLOUDFLARE_PAGE_SIZE,
  type CertificatePage,
  type ClientCertificate,
  type ClientCertificateStatus,
  type ListedCertificate,
} from './client-certificates';
export type { CustomCsr, CustomCsrInput, CustomCsrKeyType } from './custom-csrs';
export type { CustomHostname, CustomHostnameInput } from './hostnames';
export { pacedCloudflare, toRecordable, type PacedCloudflare, type PacedCloudflareOptions } from './paced';

let cached: Map<string, CloudflareGateway> = new Map();
let cachedEnv = '';

/**
 * The door for the current environment at `priority` (default interactive), rebuilt when the
 * CLOUDFLARE_* variables change. Other options (tests) build an uncached one.
 */
export function cloudflare(options?: GatewayOptions): CloudflareGateway {
  const config = readCloudflareConfig();
  const onlyPriority = !options || Object.keys(options).every((k) => k === 'priority');
  if (!onlyPriority) return createCloudflareGateway(config, options);
  const env = JSON.stringify([config.apiToken, config.zoneId, config.baseUrl ?? '', process.env.CLOUDFLARE_API_RATE_LIMIT ?? '']);
  if (env !== cachedEnv) {
    cached = new Map();
    cachedEnv = env;
  }
  const priority: CloudflarePriority = options?.priority ?? 'interactive';
  let gateway = cached.get(priority);
  if (!gateway) {
    gateway = createCloudflareGateway(config, { priority });
    cached.set(priority, gateway);
  }
  return gateway;
}

type G = CloudflareGateway;

// The verbs below are interactive (a person is waiting); jobs use cloudflare({ priority }).
/** Signs a CSR with the zone's managed CA. @throws CloudflareError (BAD_CSR, QUOTA_EXCEEDED, RATE_LIMITED, AUTH, …) */
export const issueClientCertificate = (input: Parameters<G['issueClientCertificate']>[0]) => cloudflare().issueClientCertificate(input);
/** Every client certificate of the zone (all pages: one request per 50), optionally of one status. */
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
