'use server';

import { z } from 'zod';
import { createApiToken, CreateTokenSchema, revokeApiToken } from '@/lib/auth/api-tokens';
import { action } from '@/lib/server/action';
import type { ActionFailure } from '@/lib/validation/action-state';

export type CreateTokenState = { ok: true; message: string; secret: string; prefix: string } | ActionFailure<'name' | 'role' | 'readOnly' | 'expiresInDays'> | null;

/** Anyone signed in makes their own tokens (role no higher than theirs); the secret is answered once. */
export const createApiTokenAction = action(
  { permission: 'settings:view', schema: CreateTokenSchema, fields: ['name', 'role', 'expiresInDays'], revalidate: ['/settings'] },
  async (input, { user }) => {
    const { token, secret } = await createApiToken(user, input);
    return { message: `Token “${token.name}” made. Copy it now: certfleet keeps only its hash and cannot show it again.`, secret, prefix: token.prefix };
  },
);

/** The owner revokes their token; an ADMIN anyone's. */
export const revokeApiTokenAction = action(
  { permission: 'settings:view', schema: z.object({ id: z.string().min(1).max(64) }), revalidate: ['/settings'] },
  async (input, { user }) => {
    const token = await revokeApiToken(user, input.id);
    return { message: `Revoked “${token.name}” (${token.prefix}…): it is refused from now on.` };
  },
);
