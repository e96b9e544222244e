'use client';

import { type FormEvent, startTransition, useActionState } from 'react';
import type { ActionState } from '@/lib/validation/action-state';

/**
 * A form whose server action answers with an ActionState, submitted by hand rather than through
 * `action`: React resets a form after its action, which would put back the first value of every
 * select and checkbox after a failed save. Gives the answer, a failure's typed values and field
 * errors, and the form's `onSubmit`.
 */
export function useKeptValuesForm<TField extends string>(action: (state: ActionState<TField>, data: FormData) => Promise<ActionState<TField>>) {
  const [state, formAction, pending] = useActionState<ActionState<TField>, FormData>(action, null);
  const failed = state && !state.ok ? state : undefined;
  return {
    state,
    pending,
    values: failed?.values,
    errors: failed?.fieldErrors,
    onSubmit(event: FormEvent<HTMLFormElement>) {
      event.preventDefault();
      const data = new FormData(event.currentTarget);
      startTransition(() => formAction(data));
    },
  };
}
