'use client';

import { ShieldQuestion } from 'lucide-react';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { runEnforcementCheckAction, type MtlsHostState } from '../actions';

/** Runs the enforcement check now (the same job the scheduler runs). */
export function RunCheckButton() {
  const [state, formAction, pending] = useActionState<MtlsHostState, FormData>(runEnforcementCheckAction, null);
  return (
    <form action={formAction} className="flex items-center gap-3">
      <p aria-live="polite" role="status" className={state && !state.ok ? 'max-w-sm text-sm text-destructive' : 'max-w-sm text-sm text-muted-foreground'}>
        {state?.message}
      </p>
      <Button type="submit" disabled={pending}>
        <ShieldQuestion aria-hidden className={pending ? 'animate-pulse' : undefined} />
        {pending ? 'Checking…' : 'Run enforcement check'}
      </Button>
    </form>
  );
}
