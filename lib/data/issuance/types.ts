/**
 * The shapes of an issuance: who asks (a person or a named system actor), what is asked (an existing device or
 * one made with the intent, a CSR as text or already parsed), the options of a call, and what is answered.
 */
import type { SessionUser } from '@/lib/auth/errors';
import type { CloudflareConfig, CloudflarePriority, PacedCloudflare } from '@/lib/cloudflare';
import type { CertificateSource, PrismaClient } from '@/lib/generated/prisma/client';
import type { ParsedCsr } from '@/lib/pki';
import type { IssuedCertificateInfo } from '@/lib/validation/enrollment';

/** A background job or script acting without a person: its email names it in the audit log. */
export interface SystemActor {
  id: null;
  email: `system:${string}`;
}
export type IssuanceActor = SessionUser | SystemActor;

export function isPerson(actor: IssuanceActor): actor is SessionUser {
  return 'role' in actor;
}

export interface NewDeviceSpec {
  name: string;
  group: string;
  commonName: string;
  tags?: string[];
}

/** The CSR as text, or as the caller already parsed it (with `parseCsrForIssuance`), so it is not parsed again. */
export type CsrSource = { csrPem: string; csr?: undefined } | { csr: ParsedCsr; csrPem?: undefined };

interface IssueFields {
  validityDays: number;
  source: CertificateSource;
  actor: IssuanceActor;
  /** Idempotency key: the same id never issues twice. Made by the asking kind's module (after-*.ts). */
  requestId: string;
}

export type IssueCertificateInput = CsrSource & IssueFields & { deviceId: string };

export type IssueRequest = CsrSource &
  IssueFields & {
    /** An existing device, or one to create with the intent (enrollment): it becomes ACTIVE when its certificate is recorded. */
    device: { id: string } | { create: NewDeviceSpec };
  };

export interface IssuanceOptions {
  /** Default: the app's client (`db()`). */
  prisma?: PrismaClient;
  /** Default: the paced client for the environment's Cloudflare (or `cloudflareConfig`). */
  cloudflare?: PacedCloudflare;
  cloudflareConfig?: CloudflareConfig;
  /**
   * Whose call this is for the shared Cloudflare budget when `cloudflare` is not given: interactive
   * (default: a person is waiting), bulk (a queued batch: EST, bulk enrollment) or background.
   */
  priority?: CloudflarePriority;
  /**
   * Test seam for the crash window: called after Cloudflare answered ('cloudflare-answered', before
   * anything is written) and inside the recording transaction ('recording'). Throwing there is what
   * a crash or a failing database does at that moment.
   */
  onStep?: (step: 'cloudflare-answered' | 'recording') => void | Promise<void>;
}

/** The recorded certificate: what the browser receives (`IssuedCertificateInfo`), with dates as dates and its row's own fields. */
export interface IssuedCertificateView extends Omit<IssuedCertificateInfo, 'issuedOn' | 'expiresOn'> {
  deviceId: string | null;
  issuedOn: Date;
  expiresOn: Date;
  status: string;
  source: CertificateSource;
}

export interface IssuanceResult {
  /** issued: now; already-issued: a retry of a request that had succeeded; recovered: found at Cloudflare after a lost answer. */
  outcome: 'issued' | 'already-issued' | 'recovered';
  certificate: IssuedCertificateView;
  device: { id: string; name: string; group: string; commonName: string } | null;
}

/** The Prisma selects that make an `IssuanceResult`. */
export const certificateView = {
  id: true,
  cloudflareId: true,
  deviceId: true,
  serialNumber: true,
  ski: true,
  fingerprintSha256: true,
  commonName: true,
  keyType: true,
  keySize: true,
  issuedOn: true,
  expiresOn: true,
  validityDays: true,
  status: true,
  source: true,
  pem: true,
} as const;

export const deviceView = { id: true, name: true, group: true, commonName: true } as const;
