'use server';

import { after } from 'next/server';
import { z } from 'zod';
import { db } from '@/lib/db/client';
import { settleRevocations } from '@/lib/data/certificate-refresh';
import { type CertificateActionResult, reactivateCertificate, revokeCertificates } from '@/lib/data/revocation';
import { action } from '@/lib/server/action';
import { type RevokeField, RevokeSchema } from '@/lib/validation/inventory';

// Each action is a public POST endpoint: action() checks the permission first, whatever the page that
// rendered the button has checked.

export type RevokeState =
  | null
  | { ok: boolean; message: string; fieldErrors?: Partial<Record<RevokeField, string[]>>; results?: CertificateActionResult[] };

export type ReactivateState = null | { ok: boolean; message: string; result?: CertificateActionResult };

const REVALIDATE = [
  ['/certificates', 'layout'],
  ['/devices', 'layout'],
] as const;

/** Revokes each chosen certificate on its own: the answer is ok only if every one was, with a result per certificate. */
export const revokeCertificatesAction = action(
  {
    permission: 'certificate:revoke',
    schema: RevokeSchema,
    // One hidden `certificateId` field per certificate.
    fromForm: (form) => ({ certificateIds: form.getAll('certificateId'), reason: form.get('reason') ?? undefined, note: form.get('note') ?? '' }),
    fields: ['reason', 'note'],
    revalidate: REVALIDATE,
  },
  async (input, { user }) => {
    const { results, revokedIds } = await revokeCertificates(user, input);
    // After the answer: wait for Cloudflare to complete the revocations and prove them at the edge
    // where the device's key is at hand. The refresh job does the same if this is cut short.
    if (revokedIds.length) after(() => settleRevocations(db(), revokedIds).then(() => undefined));
    const failed = results.filter((r) => !r.ok).length;
    const done = results.length - failed;
    return {
      ok: failed === 0,
      message:
        failed === 0
          ? `${plural(done, 'certificate')} revoked: the status below follows Cloudflare until the revocation completes.`
          : done === 0
            ? `Nothing was revoked: ${plural(failed, 'certificate')} failed.`
            : `${plural(done, 'certificate')} revoked, ${failed} failed: see each result below.`,
      results,
    };
  },
);

const ReactivateSchema = z.object({ certificateId: z.string('Missing certificate id.').trim().min(1, 'Missing certificate id.').max(64) });

export const reactivateCertificateAction = action(
  { permission: 'certificate:reactivate', schema: ReactivateSchema, revalidate: REVALIDATE },
  async (input, { user }) => {
    const result = await reactivateCertificate(user, input.certificateId);
    return { ok: result.ok, message: result.message, result };
  },
);

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
