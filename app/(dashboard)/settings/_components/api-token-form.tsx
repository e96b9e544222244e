'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { CopyButton } from '@/components/ui/copy-button';
import { FieldError, Input, Label } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import type { RoleName } from '@/lib/auth/permissions';
import { type CreateTokenState, createApiTokenAction } from './api-token-actions';

/** Makes a token; its secret is shown here once, with a copy button, and never again. */
export function ApiTokenForm({ roles }: { roles: RoleName[] }) {
  const [state, formAction, pending] = useActionState<CreateTokenState, FormData>(createApiTokenAction, null);
  const id = useId();
  const failed = state && !state.ok ? state : null;
  const errors = failed?.fieldErrors ?? {};
  return (
    <div className="flex flex-col gap-3">
      <form action={formAction} className="grid grid-cols-1 gap-3 sm:grid-cols-[1fr_9rem_7rem]" noValidate>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-name`}>Token name</Label>
          <Input id={`${id}-name`} name="name" defaultValue={failed?.values?.name ?? ''} aria-invalid={!!errors.name || undefined} aria-describedby={`${id}-name-error`} />
          <FieldError id={`${id}-name-error`} errors={errors.name} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-role`}>Role</Label>
          <Select id={`${id}-role`} name="role" defaultValue={failed?.values?.role ?? roles[roles.length - 1]}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
          <FieldError id={`${id}-role-error`} errors={errors.role} />
        </div>
        <div className="flex flex-col gap-1.5">
          <Label htmlFor={`${id}-days`}>Expires in (days)</Label>
          <Input id={`${id}-days`} name="expiresInDays" inputMode="numeric" defaultValue={failed?.values?.expiresInDays ?? '90'} aria-invalid={!!errors.expiresInDays || undefined} aria-describedby={`${id}-days-error`} />
          <FieldError id={`${id}-days-error`} errors={errors.expiresInDays} />
        </div>
        <label className="flex items-center gap-2 text-sm sm:col-span-2">
          <input type="checkbox" name="readOnly" className="size-4" /> Read-only (may only read, never change anything)
        </label>
        <div className="sm:justify-self-end">
          <Button type="submit" disabled={pending}>
            {pending ? 'Making…' : 'Make token'}
          </Button>
        </div>
      </form>
      {state?.ok ? (
        <div className="flex flex-col gap-2 rounded-md border border-border bg-muted/40 p-3" role="status">
          <p className="text-sm">{state.message}</p>
          <div className="flex items-center gap-2">
            <code className="font-mono text-sm break-all" data-testid="new-api-token">
              {state.secret}
            </code>
            <CopyButton text={state.secret} label="the token" />
          </div>
        </div>
      ) : (
        <FormMessage message={failed?.message} />
      )}
    </div>
  );
}
