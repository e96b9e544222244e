'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import type { ActionState } from '@/lib/validation/action-state';

type EndAction = (previous: ActionState, form: FormData) => Promise<ActionState>;

/** "End" on one row of a session list; the row goes once the list is revalidated. */
export function EndSessionButton({ id, label, action }: { id: string; label: string; action: EndAction }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="flex items-center justify-end gap-2">
      <input type="hidden" name="id" value={id} />
      {state && !state.ok ? <span className="text-xs text-destructive">{state.message}</span> : null}
      <Button type="submit" variant="outline" size="sm" disabled={pending} aria-label={label}>
        {pending ? 'Ending…' : 'End'}
      </Button>
    </form>
  );
}

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
