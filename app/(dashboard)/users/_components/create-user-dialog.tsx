'use client';

import { UserPlus } from 'lucide-react';
import { type FormEvent, useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { roleLabel } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { FieldError, Input, Label } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { MIN_PASSWORD_LENGTH } from '@/lib/auth/password-rules';
import { ROLES } from '@/lib/auth/permissions';
import { CreateUserSchema, type CreateUserField } from '@/lib/validation/user';
import { createUserAction, type CreateUserState } from '../actions';

type FieldErrors = Partial<Record<CreateUserField, string[]>>;

export function CreateUserDialog() {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<CreateUserState, FormData>(createUserAction, null);
  const [clientErrors, setClientErrors] = useState<FieldErrors | null>(null);
  const [seenState, setSeenState] = useState<CreateUserState>(state);
  const [notice, setNotice] = useState<string | null>(null);

  // A new answer from the server: on success close the dialog and say so beside the button.
  if (state !== seenState) {
    setSeenState(state);
    if (state?.ok) {
      setOpen(false);
      setNotice(state.message);
    }
  }

  // The same schema as the action, so most mistakes show without a round trip.
  function validate(event: FormEvent<HTMLFormElement>) {
    const parsed = CreateUserSchema.safeParse(Object.fromEntries(new FormData(event.currentTarget)));
    if (parsed.success) {
      setClientErrors(null);
      return;
    }
    event.preventDefault();
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as CreateUserField;
      (errors[field] ??= []).push(issue.message);
    }
    setClientErrors(errors);
  }

  const failed = state && !state.ok ? state : null;
  const errors: FieldErrors = clientErrors ?? failed?.fieldErrors ?? {};
  const values = failed?.values ?? {};

  return (
    <div className="flex items-center gap-3">
      <p aria-live="polite" className="max-w-xs text-sm text-muted-foreground empty:sr-only">
        {notice}
      </p>
      <Button
        onClick={() => {
          setNotice(null);
          setClientErrors(null);
          setOpen(true);
        }}
      >
        <UserPlus aria-hidden />
        New user
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="New user" description="They sign in with this email and the initial password you set.">
        <form action={formAction} onSubmit={validate} noValidate className="flex flex-col gap-4">
          <Field name="email" label="Email" errors={errors.email}>
            <Input
              id="new-user-email"
              name="email"
              type="email"
              autoComplete="off"
              defaultValue={values.email}
              aria-invalid={!!errors.email || undefined}
              aria-describedby={errors.email ? 'new-user-email-error' : undefined}
            />
          </Field>
          <Field name="name" label="Name" errors={errors.name}>
            <Input
              id="new-user-name"
              name="name"
              autoComplete="off"
              defaultValue={values.name}
              aria-invalid={!!errors.name || undefined}
              aria-describedby={errors.name ? 'new-user-name-error' : undefined}
            />
          </Field>
          <Field name="role" label="Role" errors={errors.role}>
            <Select
              // A <select> reads defaultValue only when mounted: remount it to show the echoed role.
              key={values.role ?? 'default'}
              id="new-user-role"
              name="role"
              defaultValue={values.role ?? 'SUPPORT'}
              aria-invalid={!!errors.role || undefined}
              aria-describedby={errors.role ? 'new-user-role-error' : undefined}
            >
              {ROLES.map((role) => (
                <option key={role} value={role}>
                  {roleLabel(role)}
                </option>
              ))}
            </Select>
          </Field>
          <Field name="password" label="Initial password" errors={errors.password} hint={`At least ${MIN_PASSWORD_LENGTH} characters.`}>
            <Input
              id="new-user-password"
              name="password"
              type="password"
              autoComplete="new-password"
              minLength={MIN_PASSWORD_LENGTH}
              aria-invalid={!!errors.password || undefined}
              aria-describedby={errors.password ? 'new-user-password-error' : 'new-user-password-hint'}
            />
          </Field>
          <FormMessage message={failed?.message} />
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" disabled={pending}>
              {pending ? 'Creating…' : 'Create user'}
            </Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}

function Field({ name, label, errors, hint, children }: { name: string; label: string; errors?: string[]; hint?: string; children: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={`new-user-${name}`}>{label}</Label>
      {children}
      {hint && !errors?.length ? (
        <p id={`new-user-${name}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      <FieldError id={`new-user-${name}-error`} errors={errors} />
    </div>
  );
}
