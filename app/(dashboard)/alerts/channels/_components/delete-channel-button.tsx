'use client';

import { useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { type AlertActionState, deleteChannelAction } from '../../actions';

export function DeleteChannelButton({ id, name, rules }: { id: string; name: string; rules: number }) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<AlertActionState, FormData>(deleteChannelAction, null);
  return (
    <>
      <Button variant="ghost" size="sm" onClick={() => setOpen(true)} aria-label={`Delete channel ${name}`}>
        Delete
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title="Delete channel" description={name}>
        <form action={formAction} className="flex flex-col gap-3">
          <input type="hidden" name="id" value={id} />
          <p className="text-sm">
            {rules ? `${rules} rule${rules === 1 ? '' : 's'} stop telling it. ` : ''}Messages still waiting for it are cancelled; its delivery log stays with the alerts.
          </p>
          <FormMessage ok={state?.ok} message={state?.message} />
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={() => setOpen(false)}>
              {state?.ok ? 'Close' : 'Cancel'}
            </Button>
            {state?.ok ? null : (
              <Button type="submit" variant="destructive" disabled={pending}>
                Delete channel
              </Button>
            )}
          </div>
        </form>
      </Dialog>
    </>
  );
}
