'use server';

import { revalidatePath } from 'next/cache';
import { requirePermission } from '@/lib/auth/session';
import { enrollDevice, issuanceFailure, issuedAnswer } from '@/lib/data/enrollment';
import { EnrollmentSchema, type IssueActionResult } from '@/lib/validation/enrollment';

/**
 * Enrolls one device from the wizard. Called with a plain object (not a form): the browser adds the
 * CSR it made or read, and the request id that makes a retried submit safe. Never a private key.
 */
export async function enrollDeviceAction(input: unknown): Promise<IssueActionResult> {
  let answer: IssueActionResult;
  try {
    const actor = await requirePermission('device:enroll');
    const parsed = EnrollmentSchema.safeParse(input);
    if (!parsed.success) return issuanceFailure(parsed.error);
    answer = issuedAnswer(await enrollDevice(actor, parsed.data));
  } catch (error) {
    return issuanceFailure(error);
  }
  revalidatePath('/devices');
  return answer;
}
