import { NextResponse } from 'next/server';
import { enrollDevice, issuedAnswer } from '@/lib/data/enrollment';
import { route } from '@/lib/server/route';
import { EnrollmentSchema } from '@/lib/validation/enrollment';

/**
 * Enrolls a device (ADMIN): `{ requestId, name, group, commonName, validityDays, keySource, csrPem }`,
 * the wizard's body. Send the same `requestId` again to retry safely: it is never issued twice
 * (`details.retryable` says when that can help; 429 RATE_LIMITED comes with Retry-After).
 * 201 with the device and certificate; 200 when the request had already succeeded.
 */
export const POST = route({ permission: 'device:enroll', body: EnrollmentSchema }, async ({ user, body }) => {
  const answer = issuedAnswer(await enrollDevice(user, body));
  return NextResponse.json(answer, { status: answer.outcome === 'issued' ? 201 : 200 });
});
