'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import type { ActionState } from '@/lib/validation/action-state';
import { revokeTokenAction } from '../actions';

export function RevokeTokenButton({ tokenId, deviceName }: { tokenId: string; deviceName: string }) {
  const [state, formAction, pending] = useActionState<ActionState, FormData>(revokeTokenAction, null);
  return (
    <form action={formAction} className="inline-flex items-center gap-2">
      <input type="hidden" name="tokenId" value={tokenId} />
      <Button type="submit" variant="outline" size="sm" disabled={pending} aria-label={`Revoke the token of ${deviceName}`}>
        Revoke
      </Button>
      {state && !state.ok ? <span className="text-xs text-red-700">{state.message}</span> : null}
    </form>
  );
}
