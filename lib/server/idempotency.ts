import 'server-only';
import { createHash } from 'node:crypto';
import { NextResponse } from 'next/server';
import { db } from '@/lib/db/client';
import { Prisma } from '@/lib/generated/prisma/client';
import type { SessionUser } from '@/lib/auth/errors';
import { AppError } from '@/lib/errors';

/** A first request that left no answer this long ago crashed: a retry may run it again (safe, see below). */
const ABANDONED_AFTER_MS = 2 * 60_000;
const KEY = /^[\x21-\x7e]{1,100}$/;

/**
 * `Idempotency-Key` for a POST of the API (the IETF httpapi draft's header): the first answer (2xx or a
 * refusal) is kept per user and key, and every retry with the same key and the same request gets it
 * again, without running anything. The same key with another request is a 409. Answers that say "try
 * again" (429, 5xx) are not kept, so the retry really runs.
 *
 * What if the process dies between running and keeping the answer? The key's row then has no answer; a
 * retry after ABANDONED_AFTER_MS runs the request again. That is safe because what runs is itself safe
 * to repeat: enrollment derives its issuance request id from the key (one certificate per id, lib/data/
 * issuance.ts) and a second revocation of a certificate already being revoked changes nothing.
 */
export async function idempotent(
  request: Request,
  user: SessionUser,
  input: unknown,
  run: () => Promise<{ status: number; body: unknown }>,
): Promise<Response> {
  const key = request.headers.get('idempotency-key');
  if (key === null) return answer(await run());
  if (!KEY.test(key)) throw new AppError('BAD_REQUEST', 'Idempotency-Key must be 1–100 printable characters without spaces.');
  const id = `${user.id}:${key}`;
  const requestHash = createHash('sha256').update(`${request.method} ${new URL(request.url).pathname}\n${JSON.stringify(input ?? null)}`).digest('hex');

  try {
    await db().idempotentRequest.create({ data: { id, requestHash } });
  } catch (error) {
    if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002')) throw error;
    const kept = await db().idempotentRequest.findUniqueOrThrow({ where: { id } });
    if (kept.requestHash !== requestHash) {
      throw new AppError('IDEMPOTENCY_CONFLICT', 'This Idempotency-Key was already used for a different request: use a new key for a new request.');
    }
    if (kept.status !== null) return answer({ status: kept.status, body: kept.body }, true);
    const abandoned = Date.now() - kept.createdAt.getTime() > ABANDONED_AFTER_MS;
    // Take over an abandoned key only once: the compare-and-set on createdAt lets one retry win.
    const taken = abandoned && (await db().idempotentRequest.updateMany({ where: { id, status: null, createdAt: kept.createdAt }, data: { createdAt: new Date() } })).count === 1;
    if (!taken) throw new AppError('IDEMPOTENCY_CONFLICT', 'The first request with this Idempotency-Key is still running: retry in a few seconds.', { retryAfter: 2 });
  }

  let result: { status: number; body: unknown };
  try {
    result = await run();
  } catch (error) {
    if (error instanceof AppError && error.httpStatus < 500 && error.httpStatus !== 429) {
      const body = { error: { code: error.code, message: error.message, ...(error.fieldErrors ? { fields: error.fieldErrors } : {}), ...(error.details ? { details: error.details } : {}) } };
      await db().idempotentRequest.update({ where: { id }, data: { status: error.httpStatus, body: body as Prisma.InputJsonValue } });
    } else {
      await db().idempotentRequest.deleteMany({ where: { id, status: null } });
    }
    throw error;
  }
  await db().idempotentRequest.update({ where: { id }, data: { status: result.status, body: result.body as Prisma.InputJsonValue } });
  return answer(result);
}

function answer(result: { status: number; body: unknown }, replayed = false): Response {
  return NextResponse.json(result.body, { status: result.status, headers: replayed ? { 'idempotent-replayed': 'true' } : {} });
}
