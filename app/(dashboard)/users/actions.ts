'use server';

import { revalidatePath } from 'next/cache';
import { requirePermission } from '@/lib/auth/session';
import { AuthError } from '@/lib/auth/errors';
import { changeUserRole, createUser, resetUserPassword, setUserDisabled, UserChangeError } from '@/lib/data/users';
import { type ActionState, invalidInput } from '@/lib/validation/action-state';
import {
  ChangeRoleSchema,
  CreateUserSchema,
  type CreateUserField,
  ResetPasswordSchema,
  SetDisabledSchema,
} from '@/lib/validation/user';

// Every action here is a public POST endpoint: each one checks the permission itself, first,
// whatever the page that renders its form has already checked.

export type CreateUserState = ActionState<CreateUserField>;
export type UserChangeState = ActionState<'id' | 'role' | 'disabled' | 'password'>;

export async function createUserAction(_previous: CreateUserState, formData: FormData): Promise<CreateUserState> {
  let email: string;
  try {
    const actor = await requirePermission('users:manage');
    const parsed = CreateUserSchema.safeParse({ ...typedValues(formData), password: text(formData, 'password') });
    if (!parsed.success) return invalidInput(parsed.error, typedValues(formData));
    email = (await createUser(actor, parsed.data)).email;
  } catch (error) {
    return expectedFailure(error, typedValues(formData));
  }
  revalidatePath('/users');
  return { ok: true, message: `Created ${email}. Give them their initial password through a separate channel.` };
}

export async function changeUserRoleAction(_previous: UserChangeState, formData: FormData): Promise<UserChangeState> {
  let done: string;
  try {
    const actor = await requirePermission('users:manage');
    const parsed = ChangeRoleSchema.safeParse({ id: text(formData, 'id'), role: text(formData, 'role') });
    if (!parsed.success) return invalidInput(parsed.error);
    const user = await changeUserRole(actor, parsed.data.id, parsed.data.role);
    done = `${user.email} is now ${user.role.toLowerCase()}.`;
  } catch (error) {
    return expectedFailure(error);
  }
  revalidatePath('/users');
  return { ok: true, message: done };
}

export async function setUserDisabledAction(_previous: UserChangeState, formData: FormData): Promise<UserChangeState> {
  let done: string;
  try {
    const actor = await requirePermission('users:manage');
    const parsed = SetDisabledSchema.safeParse({ id: text(formData, 'id'), disabled: text(formData, 'disabled') });
    if (!parsed.success) return invalidInput(parsed.error);
    const user = await setUserDisabled(actor, parsed.data.id, parsed.data.disabled);
    done = user.disabled ? `${user.email} is disabled and signed out.` : `${user.email} can sign in again.`;
  } catch (error) {
    return expectedFailure(error);
  }
  revalidatePath('/users');
  return { ok: true, message: done };
}

export async function resetUserPasswordAction(_previous: UserChangeState, formData: FormData): Promise<UserChangeState> {
  let done: string;
  try {
    const actor = await requirePermission('users:manage');
    const parsed = ResetPasswordSchema.safeParse({ id: text(formData, 'id'), password: text(formData, 'password') });
    if (!parsed.success) return invalidInput(parsed.error);
    const user = await resetUserPassword(actor, parsed.data.id, parsed.data.password);
    done = `Password for ${user.email} reset.`;
  } catch (error) {
    return expectedFailure(error);
  }
  revalidatePath('/users');
  return { ok: true, message: done };
}

/** What the create form echoes back after a failure; never the password. */
function typedValues(formData: FormData) {
  return { email: text(formData, 'email'), name: text(formData, 'name'), role: text(formData, 'role') };
}

function text(formData: FormData, key: string): string {
  const value = formData.get(key);
  return typeof value === 'string' ? value : '';
}

/** A refusal or a broken rule is shown in the form; anything else is a bug for error.tsx. */
function expectedFailure<TField extends string>(error: unknown, values?: Partial<Record<TField, string>>): ActionState<TField> {
  if (error instanceof AuthError) return { ok: false, message: error.message };
  if (error instanceof UserChangeError) {
    const fieldErrors = error.field ? ({ [error.field]: [error.message] } as Partial<Record<TField, string[]>>) : undefined;
    // A rule about one field is shown beside it; the summary just points there, as for bad input.
    return { ok: false, message: fieldErrors ? 'Check the highlighted fields.' : error.message, fieldErrors, values };
  }
  throw error;
}
