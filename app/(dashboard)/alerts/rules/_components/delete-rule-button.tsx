'use client';

import { useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { type AlertActionState, deleteRuleAction } from '../../actions';

export function DeleteRuleButton({ id, name }: { id: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<AlertActionState, FormData>(deleteRuleAction, null);
  return (
    <>
      <Button variant="ghost" size="sm" onClick={() => setOpen(true)} aria-label={`Delete rule ${name}`}>
        Delete
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Delete rule" description={name}>
        <form action={formAction} className="flex flex-col gap-3">
          <input type="hidden" name="id" value={id} />
          <p className="text-sm">Its standing alerts are resolved (nobody is told) and kept with their history.</p>
          <FormMessage ok={state?.ok} message={state?.message} />
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={() => setOpen(false)}>
              {state?.ok ? 'Close' : 'Cancel'}
            </Button>
            {state?.ok ? null : (
              <Button type="submit" variant="destructive" disabled={pending}>
                Delete rule
              </Button>
            )}
          </div>
        </form>
      </Dialog>
    </>
  );
}
