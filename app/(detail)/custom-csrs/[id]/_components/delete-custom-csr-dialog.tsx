'use client';

import { Trash2 } from 'lucide-react';
import { useActionState, useState } from 'react';
import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { deleteCustomCsrAction, type CustomCsrChangeState } from '@/app/(dashboard)/custom-csrs/actions';

/** Delete with a confirmation; Cloudflare's refusal (key in use) is shown in the dialog and nothing changes. */
export function DeleteCustomCsrDialog({ id, commonName, hostnames }: { id: string; commonName: string; hostnames: string[] }) {
  const [open, setOpen] = useState(false);
  const [state, formAction, pending] = useActionState<CustomCsrChangeState, FormData>(deleteCustomCsrAction, null);
  const failed = state && !state.ok ? state : null;

  return (
    <>
      <Button variant="destructive" onClick={() => setOpen(true)}>
        <Trash2 aria-hidden />
        Delete
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Delete the custom CSR ${commonName}?`}>
        <form action={formAction} className="flex flex-col gap-4">
          <input type="hidden" name="id" value={id} />
          <p className="text-sm">
            Cloudflare deletes the CSR and its private key: a certificate signed for it can never be used afterwards. This cannot be undone.
          </p>
          {hostnames.length ? (
            <p className="text-sm text-muted-foreground">
              certfleet knows of {hostnames.length === 1 ? 'a custom hostname' : 'custom hostnames'} using this key ({hostnames.join(', ')}); Cloudflare will
              refuse until {hostnames.length === 1 ? 'it is' : 'they are'} deleted.
            </p>
          ) : null}
          <FormMessage message={failed?.message} />
          <div className="flex justify-end gap-2">
            <Button variant="outline" onClick={() => setOpen(false)}>
              Cancel
            </Button>
            <Button type="submit" variant="destructive" disabled={pending}>
              {pending ? 'Deleting…' : 'Delete CSR'}
            </Button>
          </div>
        </form>
      </Dialog>
    </>
  );
}
