'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { type AlertActionState, sendTestAction } from '../../actions';

/** Sends one test message through the channel now and says how it went. */
export function SendTestButton({ id, name }: { id: string; name: string }) {
  const [state, formAction, pending] = useActionState<AlertActionState, FormData>(sendTestAction, null);
  return (
    <form action={formAction} className="flex flex-col items-end gap-1">
      <input type="hidden" name="id" value={id} />
      <Button type="submit" variant="outline" size="sm" disabled={pending} aria-label={`Send a test to ${name}`}>
        {pending ? 'Sending…' : 'Send a test'}
      </Button>
      <FormMessage ok={state?.ok} message={state?.message} className="max-w-xs text-left" />
    </form>
  );
}
