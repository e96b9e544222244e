'use client';

import { type FormEvent, useActionState, useState } from 'react';
import type { z } from 'zod';
import type { ActionState } from '@/lib/validation/action-state';

type Errors<TField extends string> = Partial<Record<TField, string[]>>;

/**
 * The state of a form in a dialog that a server action answers: the dialog closes on success and
 * the action's message becomes a notice beside its button; a failure keeps it open with the errors
 * and the values typed. `schema` is the action's own, so most mistakes show without a round trip.
 */
export function useDialogForm<TField extends string>(
  action: (state: ActionState<TField>, data: FormData) => Promise<ActionState<TField>>,
  schema: z.ZodType,
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

  function validate(event: FormEvent<HTMLFormElement>) {
    const parsed = schema.safeParse(Object.fromEntries(new FormData(event.currentTarget)));
    if (parsed.success) return setClientErrors(null);
    event.preventDefault();
    const errors: Errors<TField> = {};
    for (const issue of parsed.error.issues) (errors[issue.path[0] as TField] ??= []).push(issue.message);
    setClientErrors(errors);
  }

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
