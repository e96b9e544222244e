'use client';

import { type FormEvent, Fragment, type ReactNode, useState } from 'react';
import { FormMessage } from './alert';
import { Button } from './button';
import { Dialog } from './dialog';

/**
 * The buttons under a form in a dialog: Cancel (Close once the form is `done`, then without the
 * submit button) and the submit button, which says while it works.
 */
export function DialogFormActions({
  onCancel,
  pending,
  label,
  pendingLabel,
  done = false,
  destructive = false,
}: {
  onCancel: () => void;
  pending: boolean;
  label: ReactNode;
  pendingLabel: ReactNode;
  done?: boolean;
  /** The submit button deletes or revokes something. */
  destructive?: boolean;
}) {
  return (
    <div className="flex justify-end gap-2">
      <Button variant="outline" onClick={onCancel}>
        {done ? 'Close' : 'Cancel'}
      </Button>
      {done ? null : (
        <Button type="submit" variant={destructive ? 'destructive' : 'primary'} disabled={pending}>
          {pending ? pendingLabel : label}
        </Button>
      )}
    </div>
  );
}

/**
 * A button that opens a dialog to create something (a primary button) or edit it (a small outline
 * one). Closing the dialog throws its form away, so it opens fresh, not with the last attempt.
 */
export function FreshFormDialog({
  editing,
  label,
  ariaLabel,
  title,
  children,
}: {
  editing: boolean;
  label: string;
  ariaLabel?: string;
  title: string;
  /** The form; `close` shuts the dialog. */
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [key, setKey] = useState(0);
  return (
    <>
      <Button variant={editing ? 'outline' : 'primary'} size={editing ? 'sm' : 'md'} onClick={() => setOpen(true)} aria-label={ariaLabel}>
        {label}
      </Button>
      <Dialog
        open={open}
        onClose={() => {
          setOpen(false);
          setKey((k) => k + 1);
        }}
        title={title}
        className="max-w-xl"
      >
        <Fragment key={key}>{children(() => setOpen(false))}</Fragment>
      </Dialog>
    </>
  );
}

/**
 * The form of a dialog that useDialogForm runs (pass what it returned as `form`): the fields, then the
 * action's failure message and the buttons.
 */
export function DialogForm({
  form,
  label,
  pendingLabel,
  children,
}: {
  form: { formAction: (data: FormData) => void; validate: (event: FormEvent<HTMLFormElement>) => void; failed: { message: string } | null; close: () => void; pending: boolean };
  label: ReactNode;
  pendingLabel: ReactNode;
  children: ReactNode;
}) {
  return (
    <form action={form.formAction} onSubmit={form.validate} noValidate className="flex flex-col gap-4">
      {children}
      <FormMessage message={form.failed?.message} />
      <DialogFormActions onCancel={form.close} pending={form.pending} label={label} pendingLabel={pendingLabel} />
    </form>
  );
}
