import 'server-only';
/**
 * Issuing client certificates, exactly once per request.
 *
 * Every issuance has an id made by whoever asks (the browser per submit, the bulk queue per row) and
 * an IssuanceIntent row with that id is written BEFORE Cloudflare is asked to sign. Then:
 * - a retried request whose intent is ISSUED gets the certificate recorded the first time;
 * - an intent left PENDING (a crash, a timeout, a database failure after Cloudflare answered) may
 *   have been signed: certfleet first looks for it at Cloudflare (by the id it noted, or by the
 *   SHA-256 of the CSR among the zone's newest certificates) and records that one instead of asking
 *   again; when it cannot tell, it refuses to ask again and leaves the intent to the heal job and to
 *   reconcile, which match every certificate of the zone against pending intents;
 * - Cloudflare's definite refusals (bad CSR, quota, rate limit, credentials) mark the intent FAILED:
 *   nothing was signed, so the same request may be tried again.
 *
 * The id also says what the issuance is for (`enroll:…`, `bulk:<job>:<row>`, `renew:<old cert>:…`,
 * `seed:…`), so a certificate healed long after its request still lands where it belongs.
 */
import { recordAudit, type AuditActor } from '@/lib/audit';
import { assertCan, type SessionUser } from '@/lib/auth/errors';
import { recordIssuedCertificate, type CloudflareClientCertificate } from '@/lib/certificates/record';
import { type ClientCertificate, type CloudflareConfig, type CloudflareErrorCode, type CloudflarePriority, isCloudflareError } from '@/lib/cloudflare';
import { db } from '@/lib/db/client';
import { AppError } from '@/lib/errors';
import { type CertificateSource, type IssuanceIntent, Prisma, type PrismaClient } from '@/lib/generated/prisma/client';
import { isPkiError, parseCsr, type ParsedCsr } from '@/lib/pki';
import { sha256Hex } from '@/lib/pki/crypto';
import { decodePemBlocks } from '@/lib/pki/pem';
import { MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS } from '@/lib/validation/enrollment';
import { type ListedCertificate, pacedCloudflare, type PacedCloudflare, toRecordable } from '@/lib/cloudflare';

export { DEFAULT_VALIDITY_DAYS, MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS } from '@/lib/validation/enrollment';

/** A background job or script acting without a person: its email names it in the audit log. */
export interface SystemActor {
  id: null;
  email: `system:${string}`;
}
export type IssuanceActor = SessionUser | SystemActor;

function isPerson(actor: IssuanceActor): actor is SessionUser {
  return 'role' in actor;
}

export type IssuanceErrorCode =
  /** The CSR was refused before anything was written or sent (garbage, weak key, bad signature, no subject). */
  | 'BAD_CSR'
  /** A field is invalid (validity out of range, malformed request id). */
  | 'BAD_INPUT'
  | 'DEVICE_NOT_FOUND'
  /** Another device already has the name. */
  | 'NAME_TAKEN'
  /** The request id was used before with another CSR: the browser must make a new id per submit. */
  | 'REQUEST_MISMATCH'
  /** Cloudflare refused definitely; nothing was issued. The code is Cloudflare's (RATE_LIMITED, QUOTA_EXCEEDED, …), also in `cloudflareCode`. */
  | CloudflareErrorCode
  /** Cloudflare's answer was lost (timeout, connection, 5xx) and certfleet cannot yet tell whether it signed. */
  | 'UNCERTAIN'
  /** Cloudflare issued the certificate but certfleet could not record it; a retry or the heal job will. */
  | 'RECORD_FAILED';

/**
 * Why an issuance did not (yet) produce a recorded certificate, in words the person can act on. `field`
 * puts the message beside a form field; `retryable` (also in `details`) says the same submit may be sent again.
 */
export class IssuanceError extends AppError<IssuanceErrorCode> {
  readonly field?: 'csr' | 'name' | 'commonName' | 'group' | 'validityDays' | 'requestId';
  readonly cloudflareCode?: CloudflareErrorCode;
  /** True when trying the same request again later can succeed. */
  readonly retryable: boolean;

  constructor(
    code: IssuanceErrorCode,
    message: string,
    extra: { field?: IssuanceError['field']; cloudflareCode?: CloudflareErrorCode; retryAfter?: number; retryable?: boolean } = {},
  ) {
    super(code, message, {
      // The wizard's field is csrPem; the data layer says csr.
      fieldErrors: extra.field ? { [extra.field === 'csr' ? 'csrPem' : extra.field]: [message] } : undefined,
      details: { retryable: extra.retryable ?? false },
      retryAfter: extra.retryAfter,
    });
    this.name = 'IssuanceError';
    this.field = extra.field;
    this.cloudflareCode = extra.cloudflareCode;
    this.retryable = extra.retryable ?? false;
  }
}

export type IntentPurpose =
  | { kind: 'enroll' }
  | { kind: 'bulk'; jobId: string; rowIndex: number }
  | { kind: 'renew'; replacesCertificateId: string }
  | { kind: 'seed' }
  | { kind: 'other' };

/** What an intent id says it is for (see the file comment). */
export function intentPurpose(id: string): IntentPurpose {
  const [kind, a, b] = id.split(':');
  if (kind === 'enroll') return { kind: 'enroll' };
  if (kind === 'seed') return { kind: 'seed' };
  if (kind === 'bulk' && a && b !== undefined && /^\d+$/.test(b)) return { kind: 'bulk', jobId: a, rowIndex: Number(b) };
  if (kind === 'renew' && a) return { kind: 'renew', replacesCertificateId: a };
  return { kind: 'other' };
}

const SOURCE_BY_PURPOSE: Record<IntentPurpose['kind'], CertificateSource | undefined> = {
  enroll: 'ENROLLED',
  bulk: 'BULK',
  renew: 'RENEWAL',
  seed: 'SEED',
  other: undefined,
};

export const enrollmentRequestId = (browserId: string) => `enroll:${browserId}`;
export const bulkRequestId = (jobId: string, rowIndex: number) => `bulk:${jobId}:${rowIndex}`;
export const renewalRequestId = (replacesCertificateId: string, browserId: string) => `renew:${replacesCertificateId}:${browserId}`;

const REQUEST_ID = /^[A-Za-z0-9:_.-]{8,200}$/;

export interface NewDeviceSpec {
  name: string;
  group: string;
  commonName: string;
  tags?: string[];
}

export interface IssueCertificateInput {
  deviceId: string;
  csrPem: string;
  validityDays: number;
  source: CertificateSource;
  actor: IssuanceActor;
  /** Idempotency key: the same id never issues twice. */
  requestId: string;
}

export interface IssueRequest extends Omit<IssueCertificateInput, 'deviceId'> {
  /** An existing device, or one to create with the intent (enrollment): it becomes ACTIVE when its certificate is recorded. */
  device: { id: string } | { create: NewDeviceSpec };
}

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

export interface IssuedCertificateView {
  id: string;
  cloudflareId: string;
  deviceId: string | null;
  serialNumber: string;
  ski: string;
  fingerprintSha256: string;
  commonName: string;
  keyType: string;
  keySize: number;
  issuedOn: Date;
  expiresOn: Date;
  validityDays: number;
  status: string;
  source: CertificateSource;
  pem: string;
}

export interface IssuanceResult {
  /** issued: now; already-issued: a retry of a request that had succeeded; recovered: found at Cloudflare after a lost answer. */
  outcome: 'issued' | 'already-issued' | 'recovered';
  certificate: IssuedCertificateView;
  device: { id: string; name: string; group: string; commonName: string } | null;
}

const certificateView = {
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

const deviceView = { id: true, name: true, group: true, commonName: true } as const;

/** Cloudflare refusals after which nothing was signed, so the same request may be sent again. */
const DEFINITE: ReadonlySet<CloudflareErrorCode> = new Set([
  'RATE_LIMITED',
  'QUOTA_EXCEEDED',
  'BAD_CSR',
  'INVALID_REQUEST',
  'AUTH',
  'NOT_CONFIGURED',
  'NOT_FOUND',
]);

/**
 * Parses a CSR as Cloudflare will judge it, or refuses with the reason.
 * @throws IssuanceError BAD_CSR
 */
export async function parseCsrForIssuance(csrPem: string): Promise<ParsedCsr> {
  try {
    return await parseCsr(csrPem);
  } catch (error) {
    if (isPkiError(error)) throw new IssuanceError('BAD_CSR', error.message, { field: 'csr' });
    throw error;
  }
}

/**
 * SHA-256 of a CSR's DER without parsing it: equal to `csrDigest()` of lib/certificates/record.ts, and
 * cheap enough to run over every certificate of a large zone. Undefined when the text holds no CSR.
 */
export async function csrPemDigest(csrPem: string): Promise<string | undefined> {
  try {
    const block = decodePemBlocks(csrPem).find((b) => b.label === 'CERTIFICATE REQUEST' || b.label === 'NEW CERTIFICATE REQUEST');
    return block ? await sha256Hex(block.der) : undefined;
  } catch {
    return undefined;
  }
}

function checkValidity(days: number): void {
  if (!Number.isInteger(days) || days < MIN_VALIDITY_DAYS || days > MAX_VALIDITY_DAYS) {
    throw new IssuanceError('BAD_INPUT', `Validity must be a whole number of days from ${MIN_VALIDITY_DAYS} to ${MAX_VALIDITY_DAYS}.`, {
      field: 'validityDays',
    });
  }
}

// Two submits of one request in this process (a double click) share one attempt. Across processes
// the intent row and the CSR look-up keep issuance single.
const inFlight = new Map<string, Promise<IssuanceResult>>();

/**
 * Issues a client certificate for an existing device, once per `requestId` (see the file comment).
 * A person needs 'certificate:issue'; a `system:` actor is trusted code (seed, jobs).
 * @throws IssuanceError (BAD_CSR and BAD_INPUT before anything is written), AuthError
 */
export async function issueCertificateForDevice(input: IssueCertificateInput, options: IssuanceOptions = {}): Promise<IssuanceResult> {
  const { deviceId, ...rest } = input;
  return issueCertificate({ ...rest, device: { id: deviceId } }, options);
}

/** The general form: for an existing device or one created with the intent (enrollment, bulk rows). */
export async function issueCertificate(request: IssueRequest, options: IssuanceOptions = {}): Promise<IssuanceResult> {
  if (isPerson(request.actor)) assertCan(request.actor, 'certificate:issue');
  if (!REQUEST_ID.test(request.requestId)) {
    throw new IssuanceError('BAD_INPUT', 'The request id is missing or malformed; reload the page and submit again.', { field: 'requestId' });
  }
  checkValidity(request.validityDays);
  const csr = await parseCsrForIssuance(request.csrPem);
  const digest = await sha256Hex(csr.der);

  const running = inFlight.get(request.requestId);
  if (running) return running;
  const attempt = attemptIssuance(request, csr, digest, options).finally(() => inFlight.delete(request.requestId));
  inFlight.set(request.requestId, attempt);
  return attempt;
}

async function attemptIssuance(request: IssueRequest, csr: ParsedCsr, digest: string, options: IssuanceOptions): Promise<IssuanceResult> {
  const prisma = options.prisma ?? db();
  let intent = await prisma.issuanceIntent.findUnique({ where: { id: request.requestId } });
  if (intent && intent.csrSha256 !== digest) {
    throw new IssuanceError('REQUEST_MISMATCH', 'This request was already used with another CSR. Reload the page and submit again.', {
      field: 'requestId',
    });
  }
  if (intent?.status === 'ISSUED') return existingResult(prisma, intent);

  const cloudflare = options.cloudflare ?? pacedCloudflare({ ...(options.cloudflareConfig ? { config: options.cloudflareConfig } : {}), ...(options.priority ? { priority: options.priority } : {}) });
  const retried = intent?.status === 'PENDING';
  intent = intent ? await prepareRetry(prisma, intent, request) : await createIntent(prisma, request, csr, digest);

  if (retried) {
    // The earlier attempt may have been signed: look before asking again.
    const found = await findEarlierIssuance(cloudflare, intent);
    if (found.certificate) return recordAndAnswer(prisma, intent, found.certificate, request, 'recovered', options);
    if (!found.conclusive) {
      throw new IssuanceError(
        'UNCERTAIN',
        "Cloudflare's answer to an earlier attempt of this request was lost and certfleet cannot yet tell whether it signed. It checks again in the background (and reconcile matches it); nothing will be issued twice. Try again in a few minutes.",
        { retryable: true },
      );
    }
  }

  let issued: ClientCertificate;
  try {
    issued = await cloudflare.issue({ csr: csr.pem, validityDays: request.validityDays });
  } catch (error) {
    throw await cloudflareFailure(prisma, intent, error);
  }

  try {
    await options.onStep?.('cloudflare-answered');
    // Noted on its own first, so that if the recording below fails the heal needs one GET, not a search.
    await prisma.issuanceIntent.update({ where: { id: intent.id }, data: { cloudflareId: issued.id } });
  } catch (error) {
    throw recordFailure(issued.id, error);
  }
  return recordAndAnswer(prisma, intent, toRecordable(issued), request, 'issued', options);
}

async function recordAndAnswer(
  prisma: PrismaClient,
  intent: IssuanceIntent,
  issued: CloudflareClientCertificate,
  request: IssueRequest,
  outcome: IssuanceResult['outcome'],
  options: IssuanceOptions,
): Promise<IssuanceResult> {
  try {
    const certificateId = await prisma.$transaction(async (tx) => {
      const id = await completeIntent(tx, intent, issued, {
        actor: request.actor,
        source: request.source,
        recovered: outcome === 'recovered',
      });
      await options.onStep?.('recording');
      return id;
    });
    const certificate = await prisma.certificate.findUniqueOrThrow({ where: { id: certificateId }, select: certificateView });
    const device = certificate.deviceId ? await prisma.device.findUnique({ where: { id: certificate.deviceId }, select: deviceView }) : null;
    return { outcome, certificate, device };
  } catch (error) {
    throw recordFailure(issued.id, error);
  }
}

function recordFailure(cloudflareId: string, error: unknown): IssuanceError {
  const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new IssuanceError(
    'RECORD_FAILED',
    `Cloudflare issued the certificate (${cloudflareId}) but certfleet could not record it (${why}). Submit again or wait for the background check: it is recorded then, and nothing is issued twice.`,
    { retryable: true },
  );
}

async function cloudflareFailure(prisma: PrismaClient, intent: IssuanceIntent, error: unknown): Promise<IssuanceError> {
  if (isCloudflareError(error) && DEFINITE.has(error.code)) {
    await failIntent(prisma, intent, error.message);
    return new IssuanceError(error.code, error.message, {
      cloudflareCode: error.code,
      retryAfter: error.retryAfter,
      retryable: error.code === 'RATE_LIMITED',
      ...(error.code === 'BAD_CSR' ? { field: 'csr' as const } : {}),
    });
  }
  const said = error instanceof Error ? error.message : String(error);
  await prisma.issuanceIntent.update({ where: { id: intent.id }, data: { error: said.slice(0, 1000) } }).catch(() => undefined);
  return new IssuanceError(
    'UNCERTAIN',
    `${said} Cloudflare may or may not have signed the certificate; submit again to check (it is never issued twice).`,
    { cloudflareCode: isCloudflareError(error) ? error.code : undefined, retryable: true },
  );
}

/**
 * Marks an intent FAILED (nothing was signed) and removes a device that was created for it and
 * has nothing of its own yet, so a failed enrollment leaves no half-made device behind.
 */
async function failIntent(prisma: PrismaClient, intent: IssuanceIntent, message: string): Promise<void> {
  const purpose = intentPurpose(intent.id);
  await prisma.$transaction(async (tx) => {
    await tx.issuanceIntent.update({ where: { id: intent.id }, data: { status: 'FAILED', error: message.slice(0, 1000) } });
    if (intent.deviceId && (purpose.kind === 'enroll' || purpose.kind === 'bulk')) {
      await tx.device.deleteMany({
        where: { id: intent.deviceId, status: 'INACTIVE', certificates: { none: {} }, readings: { none: {} } },
      });
    }
    if (purpose.kind === 'bulk') {
      await tx.bulkJobRow.updateMany({
        where: { jobId: purpose.jobId, rowIndex: purpose.rowIndex, status: { not: 'ISSUED' } },
        data: { status: 'FAILED', error: message.slice(0, 1000) },
      });
    }
  });
}

async function createDevice(tx: Prisma.TransactionClient, spec: NewDeviceSpec): Promise<string> {
  const taken = await tx.device.findUnique({ where: { name: spec.name }, select: { id: true } });
  if (taken) throw new IssuanceError('NAME_TAKEN', `A device named "${spec.name}" already exists.`, { field: 'name' });
  const device = await tx.device.create({
    data: { name: spec.name, group: spec.group, commonName: spec.commonName, tags: spec.tags ?? [], status: 'INACTIVE' },
    select: { id: true },
  });
  return device.id;
}

async function existingDevice(tx: Prisma.TransactionClient, id: string): Promise<string> {
  const device = await tx.device.findUnique({ where: { id }, select: { id: true, status: true } });
  if (!device) throw new IssuanceError('DEVICE_NOT_FOUND', 'The device does not exist (any more).');
  if (device.status === 'DECOMMISSIONED') throw new IssuanceError('BAD_INPUT', 'The device is decommissioned; enroll a new device instead.');
  return device.id;
}

async function createIntent(prisma: PrismaClient, request: IssueRequest, csr: ParsedCsr, digest: string): Promise<IssuanceIntent> {
  try {
    return await prisma.$transaction(async (tx) => {
      const deviceId = 'create' in request.device ? await createDevice(tx, request.device.create) : await existingDevice(tx, request.device.id);
      return tx.issuanceIntent.create({
        data: {
          id: request.requestId,
          deviceId,
          csrSha256: digest,
          csr: csr.pem,
          validityDays: request.validityDays,
          actorEmail: request.actor.email,
        },
      });
    });
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      // Someone made the same intent (or took the name) between our read and write.
      const again = await prisma.issuanceIntent.findUnique({ where: { id: request.requestId } });
      if (again) return again;
      if ('create' in request.device) {
        throw new IssuanceError('NAME_TAKEN', `A device named "${request.device.create.name}" already exists.`, { field: 'name' });
      }
    }
    throw error;
  }
}

/** Before trying an intent again: its device must still be there (a failed enrollment removed it). */
async function prepareRetry(prisma: PrismaClient, intent: IssuanceIntent, request: IssueRequest): Promise<IssuanceIntent> {
  return prisma.$transaction(async (tx) => {
    const present = intent.deviceId ? await tx.device.findUnique({ where: { id: intent.deviceId }, select: { id: true } }) : null;
    let deviceId = present?.id;
    if (!deviceId) {
      deviceId = 'create' in request.device ? await createDevice(tx, request.device.create) : await existingDevice(tx, request.device.id);
    }
    return tx.issuanceIntent.update({
      where: { id: intent.id },
      data: { deviceId, status: 'PENDING', validityDays: request.validityDays, actorEmail: request.actor.email },
    });
  });
}

async function existingResult(prisma: PrismaClient, intent: IssuanceIntent): Promise<IssuanceResult> {
  const certificate = intent.cloudflareId
    ? await prisma.certificate.findUnique({ where: { cloudflareId: intent.cloudflareId }, select: certificateView })
    : null;
  if (!certificate) throw new Error(`Issuance intent ${intent.id} is ISSUED but its certificate ${intent.cloudflareId} is not recorded`);
  const device = certificate.deviceId ? await prisma.device.findUnique({ where: { id: certificate.deviceId }, select: deviceView }) : null;
  return { outcome: 'already-issued', certificate, device };
}

/**
 * Looks at Cloudflare for the certificate an earlier attempt of `intent` may have got: by the id
 * noted on the intent, else by its CSR among the zone's newest certificates.
 */
async function findEarlierIssuance(
  cloudflare: PacedCloudflare,
  intent: IssuanceIntent,
): Promise<{ certificate?: CloudflareClientCertificate; conclusive: boolean }> {
  if (intent.cloudflareId) {
    try {
      return { certificate: toRecordable(await cloudflare.get(intent.cloudflareId)), conclusive: true };
    } catch (error) {
      if (!(isCloudflareError(error) && error.code === 'NOT_FOUND')) throw await asIssuanceError(error);
    }
  }
  try {
    const search = await findIssuedForCsrs(cloudflare, new Set([intent.csrSha256]), intent.createdAt);
    return { certificate: search.found.get(intent.csrSha256), conclusive: search.conclusive };
  } catch (error) {
    throw await asIssuanceError(error);
  }
}

async function asIssuanceError(error: unknown): Promise<IssuanceError> {
  if (isCloudflareError(error)) {
    return new IssuanceError(error.code, error.message, {
      cloudflareCode: error.code,
      retryAfter: error.retryAfter,
      retryable: true,
    });
  }
  return new IssuanceError('UNCERTAIN', error instanceof Error ? error.message : String(error), { retryable: true });
}

/** A search where Cloudflare does not say how many pages there are stops here (2,000 × 50 certificates). */
const OPEN_ENDED_PAGES = 2000;

/**
 * The heal job reads back as far as its oldest cut intent, whatever the number of pages: it is the one place that
 * must conclude (a retry can refuse and wait, the heal cannot), it runs at background priority so people and
 * renewals keep their share of the budget, and a cut intent is settled by its scan, so the long read happens
 * once. The bound is what a zone can hold (Cloudflare's default quota is 100,000 client certificates).
 */
const HEAL_MAX_PAGES = 2000;

/** Clock difference tolerated between certfleet's database and Cloudflare's `issued_on`. */
const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * Finds, among the zone's certificates issued since `since`, those made from the CSRs with these
 * digests. Cloudflare lists oldest first (the emulator does; for newest-first lists the order is
 * detected from the first page), so the search reads the last pages first and stops at a page issued
 * wholly before `since`: a couple of requests, whatever the zone's size. `conclusive` is false when
 * it gave up after `maxPages` without reaching such a page; then only a full pass (reconcile) can tell.
 */
export async function findIssuedForCsrs(
  cloudflare: PacedCloudflare,
  digests: ReadonlySet<string>,
  since: Date,
  opts: { maxPages?: number } = {},
): Promise<{ found: Map<string, ListedCertificate>; conclusive: boolean; pagesRead: number }> {
  const maxPages = opts.maxPages ?? 8;
  const found = new Map<string, ListedCertificate>();
  const threshold = since.getTime() - CLOCK_SKEW_MS;
  let pagesRead = 0;
  const scan = async (items: ListedCertificate[]) => {
    for (const item of items) {
      const digest = await csrPemDigest(item.csrPem);
      if (digest && digests.has(digest) && !found.has(digest)) found.set(digest, item);
    }
  };
  const allBefore = (items: ListedCertificate[]) => items.length > 0 && items.every((i) => i.issuedOn && i.issuedOn.getTime() < threshold);
  const done = () => found.size === digests.size;

  const first = await cloudflare.listPage(1);
  pagesRead++;
  await scan(first.items);
  const totalPages = first.totalPages ?? (first.items.length < first.perPage ? 1 : undefined);
  if (done() || first.items.length === 0 || totalPages === 1) return { found, conclusive: true, pagesRead };

  const times = first.items.map((i) => i.issuedOn?.getTime()).filter((t): t is number => t !== undefined);
  const newestFirst = times.length >= 2 && times[0] > times[times.length - 1];
  if (newestFirst && allBefore(first.items)) return { found, conclusive: true, pagesRead };

  // Pages to read, newest first; open-ended when Cloudflare does not say how many there are.
  const candidates: number[] = [];
  if (totalPages !== undefined) {
    for (let p = 2; p <= totalPages; p++) candidates.push(p);
    if (!newestFirst) candidates.reverse();
  } else {
    // Open-ended: read on until an empty page (or one wholly before `since`), at most maxPages more.
    for (let p = 2; p < 2 + Math.min(maxPages, OPEN_ENDED_PAGES); p++) candidates.push(p);
  }
  for (const page of candidates.slice(0, maxPages)) {
    const { items } = await cloudflare.listPage(page);
    pagesRead++;
    await scan(items);
    if (done() || items.length === 0 || allBefore(items)) return { found, conclusive: true, pagesRead };
  }
  return { found, conclusive: totalPages !== undefined && candidates.length <= maxPages, pagesRead };
}

/**
 * Records the certificate Cloudflare issued for `intent` and everything that follows from it, in the
 * caller's transaction: the Certificate row (attached to the intent's device), the device made ACTIVE,
 * the certificate it replaces marked superseded, the bulk row done, the intent ISSUED, the audit.
 * @returns the Certificate row's id
 */
export async function completeIntent(
  tx: Prisma.TransactionClient,
  intent: IssuanceIntent,
  issued: CloudflareClientCertificate,
  ctx: { actor: AuditActor; source?: CertificateSource; recovered: boolean },
): Promise<string> {
  const purpose = intentPurpose(intent.id);
  const device = intent.deviceId
    ? await tx.device.findUnique({ where: { id: intent.deviceId }, select: { id: true, name: true, status: true } })
    : null;
  const source = SOURCE_BY_PURPOSE[purpose.kind] ?? ctx.source ?? (device ? 'ENROLLED' : 'RECONCILED');
  let certificate = await recordIssuedCertificate(tx, issued, { deviceId: device?.id ?? null, source: device ? source : 'RECONCILED' });
  if (device && certificate.deviceId === null) {
    // Reconcile saw it first and listed it as untracked: it belongs to this device after all.
    certificate = await tx.certificate.update({ where: { id: certificate.id }, data: { deviceId: device.id, source } });
  }
  if (device && device.status === 'INACTIVE' && (purpose.kind === 'enroll' || purpose.kind === 'bulk')) {
    await tx.device.update({ where: { id: device.id }, data: { status: 'ACTIVE' } });
  }
  let superseded: { id: string; serialNumber: string } | null = null;
  if (purpose.kind === 'renew' && device) {
    const old = await tx.certificate.findFirst({
      where: { id: purpose.replacesCertificateId, deviceId: device.id, supersededById: null, NOT: { id: certificate.id } },
      select: { id: true, serialNumber: true },
    });
    if (old) {
      await tx.certificate.update({ where: { id: old.id }, data: { supersededById: certificate.id, supersededAt: new Date() } });
      superseded = old;
    }
  }
  if (purpose.kind === 'bulk') {
    await tx.bulkJobRow.updateMany({
      where: { jobId: purpose.jobId, rowIndex: purpose.rowIndex },
      data: { status: 'ISSUED', certificateId: certificate.id, error: null },
    });
  }
  await tx.issuanceIntent.update({ where: { id: intent.id }, data: { status: 'ISSUED', cloudflareId: issued.id, error: null } });

  const label = device?.name ?? certificate.commonName;
  if (device && (purpose.kind === 'enroll' || purpose.kind === 'bulk')) {
    await recordAudit(tx, {
      actor: ctx.actor,
      action: 'device.enroll',
      targetType: 'device',
      targetId: device.id,
      targetLabel: device.name,
      details: { requestId: intent.id, certificateId: certificate.id, ...(purpose.kind === 'bulk' ? { bulkJobId: purpose.jobId, row: purpose.rowIndex } : {}) },
    });
  }
  await recordAudit(tx, {
    actor: ctx.actor,
    action: purpose.kind === 'renew' ? 'certificate.renew' : 'certificate.issue',
    targetType: 'certificate',
    targetId: certificate.id,
    targetLabel: label,
    details: {
      requestId: intent.id,
      cloudflareId: issued.id,
      serialNumber: certificate.serialNumber,
      ski: certificate.ski,
      fingerprintSha256: certificate.fingerprintSha256,
      validityDays: certificate.validityDays,
      expiresOn: certificate.expiresOn.toISOString(),
      source: certificate.source,
      deviceId: device?.id ?? null,
      ...(intent.actorEmail && intent.actorEmail !== ctx.actor.email ? { requestedBy: intent.actorEmail } : {}),
      ...(superseded ? { supersedes: superseded.id, supersedesSerial: superseded.serialNumber } : {}),
      ...(ctx.recovered ? { recovered: true } : {}),
    },
  });
  return certificate.id;
}

export interface HealSummary {
  checked: number;
  /** Certificates Cloudflare had issued that are now recorded. */
  recorded: number;
  /** Intents Cloudflare certainly never signed, marked FAILED so they can be retried. */
  abandoned: number;
  /** Intents that could not be decided yet (search inconclusive, or Cloudflare unreachable). */
  stillPending: number;
  errors: string[];
  summary: string;
}

const HEAL_ACTOR: SystemActor = { id: null, email: 'system:issuance-heal' };

/**
 * Scheduler job: settles PENDING issuance intents that nobody is working on any more (no update for
 * `idleMs`, default 2 minutes — longer than one attempt can take). A certificate Cloudflare issued
 * for one is recorded as if the request had finished; an intent Cloudflare certainly never signed and
 * older than `abandonAfterMs` (default 10 minutes) is marked FAILED, and a device made for it removed.
 */
export async function healPendingIssuances(
  prisma: PrismaClient,
  opts: { idleMs?: number; abandonAfterMs?: number; limit?: number; cloudflare?: PacedCloudflare; now?: () => Date } = {},
): Promise<HealSummary> {
  const now = opts.now?.() ?? new Date();
  const idleMs = opts.idleMs ?? 2 * 60_000;
  const abandonAfterMs = opts.abandonAfterMs ?? 10 * 60_000;
  const intents = await prisma.issuanceIntent.findMany({
    where: { status: 'PENDING', updatedAt: { lt: new Date(now.getTime() - idleMs) } },
    orderBy: { createdAt: 'asc' },
    take: opts.limit ?? 200,
  });
  const result: HealSummary = { checked: intents.length, recorded: 0, abandoned: 0, stillPending: 0, errors: [], summary: '' };
  if (intents.length === 0) return { ...result, summary: 'no pending issuances' };
  const cloudflare = opts.cloudflare ?? pacedCloudflare({ priority: 'background' });

  const byId = intents.filter((i) => i.cloudflareId);
  const bySearch = new Map<string, IssuanceIntent[]>();
  for (const intent of intents.filter((i) => !i.cloudflareId)) bySearch.set(intent.csrSha256, [...(bySearch.get(intent.csrSha256) ?? []), intent]);

  const settle = async (intent: IssuanceIntent, certificate: CloudflareClientCertificate | undefined, conclusive: boolean) => {
    if (certificate) {
      await prisma.$transaction((tx) => completeIntent(tx, intent, certificate, { actor: HEAL_ACTOR, recovered: true }));
      result.recorded++;
    } else if (conclusive && now.getTime() - intent.createdAt.getTime() > abandonAfterMs) {
      await failIntent(prisma, intent, 'Interrupted before Cloudflare signed it; nothing was issued. Submit again.');
      result.abandoned++;
    } else {
      result.stillPending++;
    }
  };

  for (const intent of byId) {
    try {
      const certificate = toRecordable(await cloudflare.get(intent.cloudflareId!));
      await settle(intent, certificate, true);
    } catch (error) {
      if (isCloudflareError(error) && error.code === 'NOT_FOUND') {
        bySearch.set(intent.csrSha256, [...(bySearch.get(intent.csrSha256) ?? []), intent]);
      } else {
        result.stillPending++;
        result.errors.push(`${intent.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  if (bySearch.size) {
    const waiting = [...bySearch.values()].flat();
    const since = new Date(Math.min(...waiting.map((i) => i.createdAt.getTime())));
    try {
      // One scan for every cut intent, back to the oldest one's time (minus the clock skew).
      const search = await findIssuedForCsrs(cloudflare, new Set(bySearch.keys()), since, { maxPages: HEAL_MAX_PAGES });
      for (const [digest, group] of bySearch) {
        // Two intents for one CSR: only the oldest gets the certificate; the others were never signed.
        const [first, ...others] = group;
        await settle(first, search.found.get(digest), search.conclusive);
        for (const other of others) await settle(other, undefined, search.conclusive || search.found.has(digest));
      }
    } catch (error) {
      result.stillPending += waiting.length;
      result.errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  result.summary = `${result.checked} pending: ${result.recorded} recorded, ${result.abandoned} abandoned, ${result.stillPending} still pending${result.errors.length ? `, ${result.errors.length} errors` : ''}`;
  return result;
}
