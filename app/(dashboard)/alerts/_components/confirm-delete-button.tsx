'use client';

import { type ReactNode, useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { DialogFormActions } from '@/components/ui/form-dialog';
import type { AlertActionState } from '../actions';

/** "Delete" beside a rule or channel: a dialog that says what deleting it does, then the action with its id. */
export function ConfirmDeleteButton({
  id,
  name,
  noun,
  action,
  children,
}: {
  id: string;
  name: string;
  /** "rule" or "channel": the button's and dialog's words. */
  noun: string;
  action: (state: AlertActionState, form: FormData) => Promise<AlertActionState>;
  /** What deleting it does, said before it is done. */
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<AlertActionState, FormData>(action, null);
  return (
    <>
      <Button variant="ghost" size="sm" onClick={() => setOpen(true)} aria-label={`Delete ${noun} ${name}`}>
        Delete
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Delete ${noun}`} description={name}>
        <form action={formAction} className="flex flex-col gap-3">
          <input type="hidden" name="id" value={id} />
          <p className="text-sm">{children}</p>
          <FormMessage ok={state?.ok} message={state?.message} />
          <DialogFormActions onCancel={() => setOpen(false)} pending={pending} label={`Delete ${noun}`} pendingLabel={`Delete ${noun}`} done={!!state?.ok} destructive />
        </form>
      </Dialog>
    </>
  );
}
