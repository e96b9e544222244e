'use client';

import { useActionState, useId, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { DialogFormActions } from '@/components/ui/form-dialog';
import { FieldError, Label } from '@/components/ui/input';
import { Textarea } from '@/components/ui/textarea';
import type { ActionState } from '@/lib/validation/action-state';
import { acknowledgeAlertAction } from './actions';

/** "Someone is on it": acknowledges an open alert with an optional note (SUPPORT, ADMIN). */
export function AcknowledgeDialog({ alert, size = 'sm' }: { alert: { id: string; summary: string }; size?: 'sm' | 'md' }) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<ActionState<string>, FormData>(acknowledgeAlertAction, null);
  const noteId = useId();
  const errors = state && !state.ok ? state.fieldErrors?.note : undefined;
  return (
    <>
      <Button variant="outline" size={size} onClick={() => setOpen(true)} aria-label={`Acknowledge: ${alert.summary}`}>
        Acknowledge
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Acknowledge alert" description={alert.summary}>
        <form action={formAction} className="flex flex-col gap-3">
          <input type="hidden" name="id" value={alert.id} />
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={noteId}>Note (optional)</Label>
            <Textarea id={noteId} name="note" maxLength={500} aria-describedby={errors ? `${noteId}-error` : undefined} aria-invalid={!!errors || undefined} />
            <FieldError id={`${noteId}-error`} errors={errors} />
          </div>
          <p className="text-sm text-muted-foreground">The alert stays until its condition clears; acknowledging stops its escalation by time.</p>
          <FormMessage ok={state?.ok} message={state?.message} />
          <DialogFormActions onCancel={() => setOpen(false)} pending={pending} label="Acknowledge" pendingLabel="Acknowledging…" done={!!state?.ok} />
        </form>
      </Dialog>
    </>
  );
}
