'use server';

import { revalidatePath } from 'next/cache';
import { after } from 'next/server';
import { AuthError } from '@/lib/auth/errors';
import { requirePermission } from '@/lib/auth/session';
import { db } from '@/lib/db/client';
import { type CertificateActionResult, reactivateCertificate, revokeCertificates, settleRevocations } from '@/lib/data/revocation';
import { invalidInput } from '@/lib/validation/action-state';
import { type RevokeField, RevokeSchema } from '@/lib/validation/inventory';

// Each action is a public POST endpoint: it checks the permission itself, first, whatever the page
// that rendered the button has checked.

export type RevokeState =
  | null
  | { ok: boolean; message: string; fieldErrors?: Partial<Record<RevokeField, string[]>>; results?: CertificateActionResult[] };

export type ReactivateState = null | { ok: boolean; message: string; result?: CertificateActionResult };

export async function revokeCertificatesAction(_previous: RevokeState, formData: FormData): Promise<RevokeState> {
  let state: RevokeState;
  try {
    const actor = await requirePermission('certificate:revoke');
    const parsed = RevokeSchema.safeParse({
      certificateIds: formData.getAll('certificateId').filter((v) => typeof v === 'string'),
      reason: formData.get('reason') ?? undefined,
      note: formData.get('note') ?? '',
    });
    if (!parsed.success) {
      const { message, fieldErrors } = invalidInput(parsed.error);
      return { ok: false, message, fieldErrors };
    }
    const { results, revokedIds } = await revokeCertificates(actor, parsed.data);
    // After the answer: wait for Cloudflare to complete the revocations and prove them at the edge
    // where the device's key is at hand. The refresh job does the same if this is cut short.
    if (revokedIds.length) after(() => settleRevocations(db(), revokedIds).then(() => undefined));
    const failed = results.filter((r) => !r.ok).length;
    const done = results.length - failed;
    state = {
      ok: failed === 0,
      message:
        failed === 0
          ? `${plural(done, 'certificate')} revoked: Cloudflare reports ${done === 1 ? 'it' : 'them'} pending revocation.`
          : done === 0
            ? `Nothing was revoked: ${plural(failed, 'certificate')} failed.`
            : `${plural(done, 'certificate')} revoked, ${failed} failed: see each result below.`,
      results,
    };
  } catch (error) {
    return expectedFailure(error);
  }
  revalidatePath('/certificates', 'layout');
  revalidatePath('/devices', 'layout');
  return state;
}

export async function reactivateCertificateAction(_previous: ReactivateState, formData: FormData): Promise<ReactivateState> {
  let state: ReactivateState;
  try {
    const actor = await requirePermission('certificate:reactivate');
    const id = formData.get('certificateId');
    if (typeof id !== 'string' || !id) return { ok: false, message: 'Missing certificate id.' };
    const result = await reactivateCertificate(actor, id);
    state = { ok: result.ok, message: result.message, result };
  } catch (error) {
    return expectedFailure(error);
  }
  revalidatePath('/certificates', 'layout');
  revalidatePath('/devices', 'layout');
  return state;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A refusal is shown in the dialog; anything else is a bug for error.tsx. */
function expectedFailure(error: unknown): { ok: false; message: string } {
  if (error instanceof AuthError) return { ok: false, message: error.message };
  throw error;
}
