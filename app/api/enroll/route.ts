import { NextResponse } from 'next/server';
import { withPermission } from '@/lib/auth/session';
import { enrollDevice, issuanceFailure, issuedAnswer } from '@/lib/data/enrollment';
import { EnrollmentSchema } from '@/lib/validation/enrollment';
import { IssuanceError } from '@/lib/data/issuance';
import { invalidBody, readJson } from '../_lib/responses';

const STATUS: Partial<Record<IssuanceError['code'], number>> = {
  BAD_CSR: 422,
  BAD_INPUT: 422,
  NAME_TAKEN: 409,
  REQUEST_MISMATCH: 409,
  DEVICE_NOT_FOUND: 404,
  CLOUDFLARE: 502,
  UNCERTAIN: 503,
  RECORD_FAILED: 503,
};

/**
 * Enrolls a device (ADMIN): `{ requestId, name, group, commonName, validityDays, keySource, csrPem }`,
 * the wizard's body. Send the same `requestId` again to retry safely: it is never issued twice.
 * 201 with the device and certificate; 200 when the request had already succeeded.
 */
export const POST = withPermission('device:enroll', async (request, _context, user) => {
  const read = await readJson(request);
  if ('response' in read) return read.response;
  const parsed = EnrollmentSchema.safeParse(read.body);
  if (!parsed.success) return invalidBody(parsed.error);
  try {
    const answer = issuedAnswer(await enrollDevice(user, parsed.data));
    return NextResponse.json(answer, { status: answer.outcome === 'issued' ? 201 : 200 });
  } catch (error) {
    const failure = issuanceFailure(error);
    const status = error instanceof IssuanceError ? (error.code === 'CLOUDFLARE' && error.cloudflareCode === 'RATE_LIMITED' ? 429 : (STATUS[error.code] ?? 500)) : 403;
    const headers: Record<string, string> = error instanceof IssuanceError && error.retryAfter ? { 'retry-after': String(error.retryAfter) } : {};
    return NextResponse.json({ error: failure.message, fieldErrors: failure.fieldErrors, retryable: failure.retryable ?? false }, { status, headers });
  }
});
