'use client';

import { UserPlus } from 'lucide-react';
import { roleLabel } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { DialogForm } from '@/components/ui/form-dialog';
import { controlProps, FormField } from '@/components/ui/form-field';
import { Input } from '@/components/ui/input';
import { Select, SelectOptions } from '@/components/ui/select';
import { useDialogForm } from '@/components/ui/use-dialog-form';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password-rules';
import { ROLES } from '@/lib/auth/permissions';
import type { CreateUserField } from '@/lib/validation/user';
import { createUserAction } from '../actions';

export function CreateUserDialog() {
  const form = useDialogForm<CreateUserField>(
    createUserAction,
    // The action's own schema, loaded on the first submit (zod stays out of the page's first load).
    () => import('@/lib/validation/user').then((m) => m.CreateUserSchema),
  );
  const { open, show, close, notice, errors, values } = form;

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
        <DialogForm form={form} label="Create user" pendingLabel="Creating…">
          <FormField id="new-user-email" label="Email" errors={errors.email}>
            <Input {...controlProps('new-user-email', 'email', errors.email)} type="email" autoComplete="off" defaultValue={values.email} />
          </FormField>
          <FormField id="new-user-name" label="Name" errors={errors.name}>
            <Input {...controlProps('new-user-name', 'name', errors.name)} autoComplete="off" defaultValue={values.name} />
          </FormField>
          <FormField id="new-user-role" label="Role" errors={errors.role}>
            {/* A <select> reads defaultValue only when mounted: remount it to show the echoed role. */}
            <Select key={values.role ?? 'default'} {...controlProps('new-user-role', 'role', errors.role)} defaultValue={values.role ?? 'SUPPORT'}>
              <SelectOptions values={ROLES} label={roleLabel} />
            </Select>
          </FormField>
          <FormField id="new-user-password" label="Initial password" errors={errors.password} hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}>
            <Input {...controlProps('new-user-password', 'password', errors.password, true)} type="password" autoComplete="new-password" minLength={MIN_PASSWORD_LENGTH} />
          </FormField>
        </DialogForm>
      </Dialog>
    </div>
  );
}
