'use server';

import { z } from 'zod';
import { endSession } from '@/lib/auth/sessions';
import { changeUserRole, createUser, resetUserPassword, setUserDisabled } from '@/lib/data/users';
import { action } from '@/lib/server/action';
import type { ActionState } from '@/lib/validation/action-state';
import { ChangeRoleSchema, CreateUserSchema, type CreateUserField, ResetPasswordSchema, SetDisabledSchema } from '@/lib/validation/user';

// Every action is a public POST endpoint: action() checks the permission first, whatever the page
// that renders its form has already checked.

export type CreateUserState = ActionState<CreateUserField>;
export type UserChangeState = ActionState<'id' | 'role' | 'disabled' | 'password'>;

export const createUserAction = action(
  { permission: 'users:manage', schema: CreateUserSchema, fields: ['email', 'name', 'role', 'password'], revalidate: ['/users'] },
  async (input, { user }) => {
    const created = await createUser(user, input);
    return { message: `Created ${created.email}. Give them their initial password through a separate channel.` };
  },
);

export const changeUserRoleAction = action({ permission: 'users:manage', schema: ChangeRoleSchema, revalidate: ['/users'] }, async (input, { user }) => {
  const changed = await changeUserRole(user, input.id, input.role);
  return { message: `${changed.email} is now ${changed.role.toLowerCase()}.` };
});

export const setUserDisabledAction = action({ permission: 'users:manage', schema: SetDisabledSchema, revalidate: ['/users'] }, async (input, { user }) => {
  const changed = await setUserDisabled(user, input.id, input.disabled);
  return { message: changed.disabled ? `${changed.email} is disabled and signed out.` : `${changed.email} can sign in again.` };
});

export const resetUserPasswordAction = action(
  { permission: 'users:manage', schema: ResetPasswordSchema, fields: ['password'], revalidate: ['/users'] },
  async (input, { user }) => {
    const changed = await resetUserPassword(user, input.id, input.password);
    return { message: `Password for ${changed.email} reset.` };
  },
);

/** An ADMIN ends anyone's session (Users → Signed-in sessions). */
export const endUserSessionAction = action(
  { permission: 'users:manage', schema: z.object({ id: z.string().min(1).max(64) }), revalidate: ['/users'] },
  async (input, { user }) => {
    const { ended, session } = await endSession(user, input.id);
    return { message: ended ? `Ended ${session.user.email}’s session on ${session.browser} (${session.address}).` : 'That session had already ended.' };
  },
);
