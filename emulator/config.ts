/** The emulator's run-time settings: delays, quota, rate limit and faults (GET/POST /emulator/config). */

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

export function mergeConfig(base: EmulatorConfig, patch: Partial<EmulatorConfig> = {}): EmulatorConfig {
  return {
    ...base,
    ...patch,
    rateLimit: patch.rateLimit === null ? null : patch.rateLimit ? { ...(base.rateLimit ?? CLOUDFLARE_RATE_LIMIT), ...patch.rateLimit } : base.rateLimit,
    faults: { ...base.faults, ...(patch.faults ?? {}) },
  };
}
