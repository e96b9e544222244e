'use client';

import { useActionState, useId, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { roleLabel } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FieldError, Input, Label } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password-rules';
import { ROLES } from '@/lib/auth/permissions';
import type { UserRow } from '@/lib/data/users';
import { changeUserRoleAction, resetUserPasswordAction, setUserDisabledAction, type UserChangeState } from '../actions';

/** One dialog per user with the three changes an admin can make: role, access, password. */
export function ManageUserDialog({ user, isSelf }: { user: UserRow; isSelf: boolean }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="outline" size="sm" onClick={() => setOpen(true)} aria-label={`Manage ${user.email}`}>
        Manage
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={user.name} description={user.email}>
        <div className="flex flex-col divide-y divide-border">
          <RoleForm user={user} />
          <AccessForm user={user} isSelf={isSelf} />
          <PasswordForm user={user} />
        </div>
      </Dialog>
    </>
  );
}

function RoleForm({ user }: { user: UserRow }) {
  const [state, formAction, pending] = useActionState<UserChangeState, FormData>(changeUserRoleAction, null);
  const id = useId();
  return (
    <form action={formAction} className="flex flex-col gap-2 pb-4">
      <input type="hidden" name="id" value={user.id} />
      <Label htmlFor={id}>Role</Label>
      <div className="flex gap-2">
        <Select id={id} name="role" defaultValue={user.role} className="flex-1">
          {ROLES.map((role) => (
            <option key={role} value={role}>
              {roleLabel(role)}
            </option>
          ))}
        </Select>
        <Button type="submit" variant="outline" disabled={pending}>
          {pending ? 'Saving…' : 'Save role'}
        </Button>
      </div>
      <FormMessage ok={state?.ok} message={state?.message} />
    </form>
  );
}

function AccessForm({ user, isSelf }: { user: UserRow; isSelf: boolean }) {
  const [state, formAction, pending] = useActionState<UserChangeState, FormData>(setUserDisabledAction, null);
  return (
    <form action={formAction} className="flex flex-col gap-2 py-4">
      <input type="hidden" name="id" value={user.id} />
      <input type="hidden" name="disabled" value={user.disabled ? 'false' : 'true'} />
      <div className="flex items-center justify-between gap-3">
        <div className="text-sm">
          <p className="font-medium">Access</p>
          <p className="text-muted-foreground">
            {user.disabled
              ? 'This account is disabled and cannot sign in.'
              : isSelf
                ? 'Disabling your own account signs you out.'
                : 'Disabling signs them out at their next request.'}
          </p>
        </div>
        <Button type="submit" variant={user.disabled ? 'outline' : 'destructive'} disabled={pending}>
          {user.disabled ? 'Enable' : 'Disable'}
        </Button>
      </div>
      <FormMessage ok={state?.ok} message={state?.message} />
    </form>
  );
}

function PasswordForm({ user }: { user: UserRow }) {
  const [state, formAction, pending] = useActionState<UserChangeState, FormData>(resetUserPasswordAction, null);
  const id = useId();
  const errors = state && !state.ok ? state.fieldErrors?.password : undefined;
  return (
    <form action={formAction} className="flex flex-col gap-2 pt-4">
      <input type="hidden" name="id" value={user.id} />
      <Label htmlFor={id}>New password</Label>
      <div className="flex gap-2">
        <Input
          id={id}
          name="password"
          type="password"
          autoComplete="new-password"
          minLength={MIN_PASSWORD_LENGTH}
          required
          aria-invalid={!!errors || undefined}
          aria-describedby={errors ? `${id}-error` : undefined}
          className="flex-1"
        />
        <Button type="submit" variant="outline" disabled={pending}>
          {pending ? 'Resetting…' : 'Reset password'}
        </Button>
      </div>
      <FieldError id={`${id}-error`} errors={errors} />
      <FormMessage ok={state?.ok} message={state && !errors ? state.message : undefined} />
    </form>
  );
}
