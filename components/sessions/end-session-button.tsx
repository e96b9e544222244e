'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import type { ActionState } from '@/lib/validation/action-state';

/** "End all other sessions": every session of the person but this one. */
export function EndOtherSessionsButton({ action, disabled }: { action: (previous: ActionState) => Promise<ActionState>; disabled: boolean }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="flex flex-col gap-2">
      <div>
        <Button type="submit" variant="destructive" size="sm" disabled={disabled || pending}>
          {pending ? 'Ending…' : 'End all other sessions'}
        </Button>
      </div>
      <FormMessage ok={state?.ok} message={state?.message} />
    </form>
  );
}
