'use server';

import { updateExpiryThresholds } from '@/lib/data/expiry';
import { ExpiryBandsFormSchema } from '@/lib/validation/expiry-bands';
import { action } from '@/lib/server/action';
import type { ActionState } from '@/lib/validation/action-state';

export type ExpiryBandsState = ActionState<'thresholds'>;

/** ADMIN: sets the expiry bands (Settings → Expiry). A public POST endpoint: action() checks the permission first. */
export const updateExpiryBandsAction = action(
  { permission: 'settings:edit', schema: ExpiryBandsFormSchema, fields: ['thresholds'], revalidate: [['/', 'layout']] },
  async (input, { user }) => {
    const saved = await updateExpiryThresholds(user, input.thresholds);
    return { message: `Saved: expired, ${saved.map((d) => `≤ ${d}`).join(', ')} days, and later.` };
  },
);
