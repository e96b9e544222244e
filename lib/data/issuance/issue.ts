import 'server-only';
/**
 * Issuing client certificates, exactly once per request.
 *
 * Every issuance has an id made by whoever asks (the browser per submit, the bulk queue per row) and
 * an IssuanceIntent row with that id is written BEFORE Cloudflare is asked to sign (intents.ts). Then:
 * - a retried request whose intent is ISSUED gets the certificate recorded the first time;
 * - an intent left PENDING (a crash, a timeout, a database failure after Cloudflare answered) may
 *   have been signed: certfleet first looks for it at Cloudflare (by the id it noted, or by the
 *   SHA-256 of the CSR among the zone's newest certificates: find-issued.ts) and records that one instead
 *   of asking again; when it cannot tell, it refuses to ask again and leaves the intent to the heal job
 *   (heal.ts) and to reconcile, which match every certificate of the zone against pending intents;
 * - Cloudflare's definite refusals (bad CSR, quota, rate limit, credentials) mark the intent FAILED:
 *   nothing was signed, so the same request may be tried again.
 *
 * What follows a recorded certificate (a device made ACTIVE, a bulk row done, an old certificate superseded)
 * belongs to the kind that asked; the id names the kind, so a certificate healed long after its request still
 * lands where it belongs (purposes.ts, complete.ts).
 */
import type { CloudflareClientCertificate } from '@/lib/certificates/record';
import { type ClientCertificate, isCloudflareError, pacedCloudflare, toRecordable } from '@/lib/cloudflare';
import { assertCan } from '@/lib/auth/errors';
import { db } from '@/lib/db/client';
import type { IssuanceIntent, PrismaClient } from '@/lib/generated/prisma/client';
import type { ParsedCsr } from '@/lib/pki';
import { sha256Hex } from '@/lib/pki/crypto';
import { completeIntent, failIntent } from './complete';
import { checkValidity, parseCsrForIssuance } from './csr';
import { DEFINITE, IssuanceError, recordFailure } from './errors';
import { findEarlierIssuance } from './find-issued';
import { createIntent, existingResult, prepareRetry } from './intents';
import { REQUEST_ID } from './purposes';
import {
  certificateView,
  deviceView,
  type IssuanceOptions,
  type IssuanceResult,
  type IssueCertificateInput,
  type IssueRequest,
  isPerson,
} from './types';

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
  const csr = request.csr !== undefined ? request.csr : await parseCsrForIssuance(request.csrPem);
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
