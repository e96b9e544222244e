'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { FieldError, Input, Label } from '@/components/ui/input';
import { type ExpiryBandsState, updateExpiryBandsAction } from './expiry-actions';

export function ExpiryBandsForm({ thresholds }: { thresholds: number[] }) {
  const [state, formAction, pending] = useActionState<ExpiryBandsState, FormData>(updateExpiryBandsAction, null);
  const id = useId();
  const failed = state && !state.ok ? state : null;
  const errors = failed?.fieldErrors?.thresholds;
  return (
    <form action={formAction} className="flex flex-col gap-2">
      <Label htmlFor={id}>Bands (days)</Label>
      <div className="flex gap-2">
        <Input
          id={id}
          name="thresholds"
          defaultValue={failed?.values?.thresholds ?? thresholds.join(', ')}
          key={thresholds.join()}
          inputMode="numeric"
          aria-invalid={!!errors || undefined}
          aria-describedby={`${id}-hint${errors ? ` ${id}-error` : ''}`}
          className="max-w-56"
        />
        <Button type="submit" variant="outline" disabled={pending}>
          {pending ? 'Saving…' : 'Save bands'}
        </Button>
      </div>
      <p id={`${id}-hint`} className="text-xs text-muted-foreground">
        Up to five ascending numbers of days, e.g. 7, 30, 90. Expired and beyond-the-last are always bands.
      </p>
      <FieldError id={`${id}-error`} errors={errors} />
      <FormMessage ok={state?.ok} message={state && !errors ? state.message : undefined} />
    </form>
  );
}
