'use client';

import { Plus } from 'lucide-react';
import { type FormEvent, useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FieldError, Input, Label } from '@/components/ui/input';
import { mtlsHostnameProblem, normalizeMtlsHostname } from '@/lib/mtls/hostname-check';
import { addMtlsHostAction, type MtlsHostState } from '../actions';

export function AddHostForm() {
  const [state, formAction, pending] = useActionState<MtlsHostState, FormData>(addMtlsHostAction, null);
  const [clientError, setClientError] = useState<string[] | null>(null);

  // The check the action's schema runs, so a typo shows without a round trip (and without zod on the page).
  function validate(event: FormEvent<HTMLFormElement>) {
    const problem = mtlsHostnameProblem(normalizeMtlsHostname(String(new FormData(event.currentTarget).get('hostname') ?? '')));
    if (!problem) return setClientError(null);
    event.preventDefault();
    setClientError([problem]);
  }

  const failed = state && !state.ok ? state : null;
  const errors = clientError ?? failed?.fieldErrors?.hostname;
  return (
    <form action={formAction} onSubmit={validate} noValidate aria-label="Turn on mTLS for a host" className="flex flex-col gap-2">
      <Label htmlFor="mtls-hostname">Turn on mTLS for a host</Label>
      <div className="flex flex-wrap items-start gap-2">
        <Input
          id="mtls-hostname"
          name="hostname"
          placeholder="sensors.acme-corp.com"
          autoComplete="off"
          defaultValue={failed?.values?.hostname}
          className="max-w-sm"
          aria-invalid={errors?.length ? true : undefined}
          aria-describedby={errors?.length ? 'mtls-hostname-error' : undefined}
        />
        <Button type="submit" disabled={pending}>
          <Plus aria-hidden />
          {pending ? 'Asking Cloudflare…' : 'Require client certificates'}
        </Button>
      </div>
      <FieldError id="mtls-hostname-error" errors={errors ?? undefined} />
      <FormMessage ok={!!state?.ok} message={clientError ? undefined : state?.message} />
    </form>
  );
}
