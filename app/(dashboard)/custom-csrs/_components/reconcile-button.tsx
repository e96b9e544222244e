'use client';

import { RefreshCw } from 'lucide-react';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { reconcileCustomCsrsAction, type CustomCsrChangeState } from '../actions';

/** Runs the reconcile job now and says what it changed. */
export function ReconcileButton() {
  const [state, formAction, pending] = useActionState<CustomCsrChangeState, FormData>(reconcileCustomCsrsAction, null);
  return (
    <form action={formAction} className="flex items-center gap-3">
      <p aria-live="polite" role="status" className={state && !state.ok ? 'max-w-xs text-sm text-destructive' : 'max-w-xs text-sm text-muted-foreground'}>
        {state?.message}
      </p>
      <Button type="submit" variant="outline" disabled={pending}>
        <RefreshCw aria-hidden className={pending ? 'animate-spin' : undefined} />
        {pending ? 'Reconciling…' : 'Reconcile with Cloudflare'}
      </Button>
    </form>
  );
}
