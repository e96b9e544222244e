'use server';

import { revalidatePath } from 'next/cache';
import { requirePermission } from '@/lib/auth/session';
import { issuanceFailure, issuedAnswer } from '@/lib/data/enrollment';
import { renewDeviceCertificate } from '@/lib/data/renewal';
import { type IssueActionResult, RenewalSchema } from '@/lib/validation/enrollment';

export type RenewActionResult =
  | (Extract<IssueActionResult, { ok: true }> & { oldCertificate: { id: string; serialNumber: string; revoked: boolean; message: string } })
  | Extract<IssueActionResult, { ok: false }>;

/** Issues a replacement certificate for a device (ADMIN). Only the CSR is sent, never a private key. */
export async function renewCertificateAction(input: unknown): Promise<RenewActionResult> {
  let answer: RenewActionResult;
  try {
    const actor = await requirePermission('certificate:issue');
    const parsed = RenewalSchema.safeParse(input);
    if (!parsed.success) return issuanceFailure(parsed.error);
    const result = await renewDeviceCertificate(actor, parsed.data);
    answer = { ...issuedAnswer(result, 'Renewed'), oldCertificate: result.oldCertificate };
  } catch (error) {
    return issuanceFailure(error);
  }
  revalidatePath(`/devices/${answer.device?.id ?? ''}`);
  revalidatePath('/certificates');
  return answer;
}
