'use server';

import { revalidatePath } from 'next/cache';
import { AuthError } from '@/lib/auth/errors';
import { requirePermission } from '@/lib/auth/session';
import { updateExpiryThresholds } from '@/lib/data/expiry';
import { ExpiryBandsFormSchema } from '@/lib/expiry/bands';

export type ExpiryBandsState = null | { ok: boolean; message: string; fieldErrors?: { thresholds?: string[] }; values?: { thresholds: string } };

/** ADMIN: sets the expiry bands (Settings → Expiry). A public POST endpoint: it checks the permission first. */
export async function updateExpiryBandsAction(_previous: ExpiryBandsState, formData: FormData): Promise<ExpiryBandsState> {
  let saved: number[];
  const typed = String(formData.get('thresholds') ?? '');
  try {
    const actor = await requirePermission('settings:edit');
    const parsed = ExpiryBandsFormSchema.safeParse({ thresholds: typed });
    if (!parsed.success) {
      const messages = parsed.error.issues.map((issue) => issue.message);
      return { ok: false, message: 'Check the bands.', fieldErrors: { thresholds: [...new Set(messages)] }, values: { thresholds: typed } };
    }
    saved = await updateExpiryThresholds(actor, parsed.data.thresholds);
  } catch (error) {
    if (error instanceof AuthError) return { ok: false, message: error.message };
    throw error;
  }
  revalidatePath('/', 'layout');
  return { ok: true, message: `Saved: expired, ${saved.map((d) => `≤ ${d}`).join(', ')} days, and later.` };
}
