'use client';

import { UserPlus } from 'lucide-react';
import { FormMessage } from '@/components/ui/alert';
import { roleLabel } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { DialogFormActions } from '@/components/ui/form-dialog';
import { describedBy, FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useDialogForm } from '@/components/ui/use-dialog-form';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password-rules';
import { ROLES } from '@/lib/auth/permissions';
import type { CreateUserField } from '@/lib/validation/user';
import { createUserAction } from '../actions';

export function CreateUserDialog() {
  const { open, show, close, formAction, pending, validate, notice, failed, errors, values } = useDialogForm<CreateUserField>(
    createUserAction,
    // The action's own schema, loaded on the first submit (zod stays out of the page's first load).
    () => import('@/lib/validation/user').then((m) => m.CreateUserSchema),
  );

  return (
    <div className="flex items-center gap-3">
      <p aria-live="polite" className="max-w-xs text-sm text-muted-foreground empty:sr-only">
        {notice}
      </p>
      <Button onClick={show}>
        <UserPlus aria-hidden />
        New user
      </Button>
      <Dialog open={open} onClose={close} title="New user" description="They sign in with this email and the initial password you set.">
        <form action={formAction} onSubmit={validate} noValidate className="flex flex-col gap-4">
          <FormField id="new-user-email" label="Email" errors={errors.email}>
            <Input
              id="new-user-email"
              name="email"
              type="email"
              autoComplete="off"
              defaultValue={values.email}
              {...describedBy('new-user-email', errors.email)}
            />
          </FormField>
          <FormField id="new-user-name" label="Name" errors={errors.name}>
            <Input
              id="new-user-name"
              name="name"
              autoComplete="off"
              defaultValue={values.name}
              {...describedBy('new-user-name', errors.name)}
            />
          </FormField>
          <FormField id="new-user-role" label="Role" errors={errors.role}>
            <Select
              // A <select> reads defaultValue only when mounted: remount it to show the echoed role.
              key={values.role ?? 'default'}
              id="new-user-role"
              name="role"
              defaultValue={values.role ?? 'SUPPORT'}
              {...describedBy('new-user-role', errors.role)}
            >
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {roleLabel(role)}
                </option>
              ))}
            </Select>
          </FormField>
          <FormField id="new-user-password" label="Initial password" errors={errors.password} hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}>
            <Input
              id="new-user-password"
              name="password"
              type="password"
              autoComplete="new-password"
              minLength={MIN_PASSWORD_LENGTH}
              {...describedBy('new-user-password', errors.password, true)}
            />
          </FormField>
          <FormMessage message={failed?.message} />
          <DialogFormActions onCancel={close} pending={pending} label="Create user" pendingLabel="Creating…" />
        </form>
      </Dialog>
    </div>
  );
}
