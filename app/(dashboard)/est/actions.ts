'use server';

import { z } from 'zod';
import { db } from '@/lib/db/client';
import { updateEstPolicy } from '@/lib/est/policy';
import { pushTokensNow } from '@/lib/est/sync';
import { createEnrollmentTokens, MAX_TOKEN_HOURS, MIN_TOKEN_HOURS, revokeEnrollmentToken } from '@/lib/est/tokens';
import { action } from '@/lib/server/action';
import type { ActionState } from '@/lib/validation/action-state';
import { describeKeys, describeWindow, EstPolicySchema } from '@/lib/validation/est-policy';

const TokenSchema = z
  .object({
    devices: z.string().max(100_000).optional().default(''),
    group: z.string().max(200).optional().default(''),
    // Blank: each device's group policy sets the lifetime (72 h unless an ADMIN changed it).
    validHours: z.preprocess(
      (v) => (v === '' || v === null ? undefined : v),
      z.coerce
        .number({ message: 'Enter a number of hours.' })
        .int('Enter a whole number of hours.')
        .min(MIN_TOKEN_HOURS, `At least ${MIN_TOKEN_HOURS} hour.`)
        .max(MAX_TOKEN_HOURS, `At most ${MAX_TOKEN_HOURS} hours (30 days).`)
        .optional(),
    ),
  })
  .refine((v) => v.devices.trim() || v.group.trim(), { message: 'Name at least one device, or a group.', path: ['devices'] });

export interface CreatedTokensState {
  ok: true;
  message: string;
  tokens: { deviceName: string; token: string; expiresAt: string; uses: number }[];
}

export type TokenFormState = CreatedTokensState | Exclude<ActionState<'devices' | 'group' | 'validHours'>, { ok: true }>;

export const createTokensAction = action(
  { permission: 'device:enroll', schema: TokenSchema, fields: ['devices', 'group', 'validHours'], revalidate: ['/est'] },
  async (input, { user }) => {
    const names = input.devices.split(/[\s,]+/).filter(Boolean);
    const made = await createEnrollmentTokens(db(), user, names.length ? { deviceNames: names, validHours: input.validHours } : { group: input.group, validHours: input.validHours });
    const pushed = await pushTokensNow(db());
    const when = pushed === 'pushed' ? 'Devices can use them now.' : 'They reach the edge with the next EST sync (seconds).';
    return {
      message: `${made.length} enrollment token${made.length === 1 ? '' : 's'} made. Copy them now: certfleet keeps only their hashes and cannot show them again. ${when}`,
      tokens: made.map((t) => ({ deviceName: t.deviceName, token: t.token, expiresAt: t.expiresAt.toISOString(), uses: t.uses })),
    };
  },
);

export const revokeTokenAction = action(
  { permission: 'device:enroll', schema: z.object({ tokenId: z.string().min(1).max(100) }), revalidate: ['/est'] },
  async ({ tokenId }, { user }) => {
    await revokeEnrollmentToken(db(), user, tokenId);
    const pushed = await pushTokensNow(db());
    return { message: pushed === 'pushed' ? 'Token revoked: the edge refuses it now.' : 'Token revoked; the edge refuses it after the next EST sync (seconds).' };
  },
);

const POLICY_FIELDS = ['group', 'windowMode', 'windowPercent', 'windowDays', 'keyTypes', 'minRsaBits', 'validityDays', 'tokenHours', 'tokenUses', 'maxRequestsPerDay'] as const;

export type PolicyFormState = ActionState<(typeof POLICY_FIELDS)[number] | 'refuseEarlyRenewal'>;

export const saveEstPolicyAction = action(
  {
    permission: 'device:enroll',
    schema: EstPolicySchema,
    fromForm: (form) => ({
      ...Object.fromEntries(POLICY_FIELDS.filter((k) => k !== 'keyTypes').map((k) => [k, typeof form.get(k) === 'string' ? form.get(k) : ''])),
      keyTypes: form.getAll('keyTypes').filter((v) => typeof v === 'string'),
      refuseEarlyRenewal: form.get('refuseEarlyRenewal') === 'true',
    }),
    fields: POLICY_FIELDS,
    revalidate: [['/est', 'layout'], '/'],
  },
  async (input, { user }) => {
    const saved = await updateEstPolicy(db(), user, input);
    return { message: `Saved group ${input.group}'s EST policy: renewal in ${describeWindow(saved)}, keys ${describeKeys(saved)}.` };
  },
);
