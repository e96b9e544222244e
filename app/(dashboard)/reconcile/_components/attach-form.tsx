'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { attachCertificateAction, type AttachState } from '../actions';

export function AttachForm({ certificateId, listId }: { certificateId: string; listId: string }) {
  const [state, action, pending] = useActionState<AttachState, FormData>(attachCertificateAction, null);
  const failed = state && !state.ok ? state : null;
  const error = failed?.fieldErrors?.deviceName?.[0] ?? failed?.message;
  if (state?.ok) {
    return (
      <p role="status" className="text-sm text-emerald-700 dark:text-emerald-300">
        {state.message}
      </p>
    );
  }
  return (
    <form action={action} className="flex flex-col gap-1">
      <input type="hidden" name="certificateId" value={certificateId} />
      <div className="flex gap-2">
        <Input
          name="deviceName"
          list={listId}
          placeholder="Device name"
          aria-label="Device name"
          defaultValue={failed?.values?.deviceName}
          aria-invalid={!!error || undefined}
          className="h-8 min-w-40"
        />
        <Button type="submit" size="sm" variant="outline" disabled={pending}>
          Attach
        </Button>
      </div>
      <p aria-live="polite" className="text-xs text-destructive">
        {error}
      </p>
    </form>
  );
}
