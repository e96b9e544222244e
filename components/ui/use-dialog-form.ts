'use client';

import { useActionState, useState } from 'react';
import type { z } from 'zod';
import { checkBeforeAction } from '@/lib/validation/check-form';
import type { ActionState } from '@/lib/validation/action-state';

type Errors<TField extends string> = Partial<Record<TField, string[]>>;

/**
 * The state of a form in a dialog that a server action answers: the dialog closes on success and
 * the action's message becomes a notice beside its button; a failure keeps it open with the errors
 * and the values typed. `schema` loads the action's own (`() => import(…)`), so most mistakes show without a
 * round trip and zod reaches the browser on the first submit, not with the page.
 */
export function useDialogForm<TField extends string>(
  action: (state: ActionState<TField>, data: FormData) => Promise<ActionState<TField>>,
  schema: () => Promise<z.ZodType>,
) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<ActionState<TField>, FormData>(action, null);
  const [clientErrors, setClientErrors] = useState<Errors<TField> | null>(null);
  const [seen, setSeen] = useState<ActionState<TField>>(state);
  const [notice, setNotice] = useState<string | null>(null);

  // A new answer from the server: on success close the dialog and say so beside the button.
  if (state !== seen) {
    setSeen(state);
    if (state?.ok) {
      setOpen(false);
      setNotice(state.message);
    }
  }

  const validate = checkBeforeAction<TField>(async (data) => (await schema()).safeParse(Object.fromEntries(data)), setClientErrors, formAction);

  const failed = state && !state.ok ? state : null;
  return {
    open,
    show() {
      setNotice(null);
      setClientErrors(null);
      setOpen(true);
    },
    close: () => setOpen(false),
    formAction,
    pending,
    validate,
    notice,
    failed,
    errors: clientErrors ?? failed?.fieldErrors ?? ({} as Errors<TField>),
    values: failed?.values ?? ({} as Partial<Record<TField, string>>),
  };
}
