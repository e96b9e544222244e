'use client';

import { RefreshCw } from 'lucide-react';
import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import { pullReadingsAction, type PullState } from './actions';

/** Pulls new readings from the Worker now instead of at the next scheduled pull (~15 s). */
export function PullNowButton() {
  const [state, formAction, pending] = useActionState<PullState>(pullReadingsAction, null);
  return (
    <form action={formAction} className="flex items-center gap-3">
      <p aria-live="polite" className={cn('max-w-xs text-sm empty:sr-only', state && !state.ok ? 'text-destructive' : 'text-muted-foreground')}>
        {state?.message}
      </p>
      <Button type="submit" variant="outline" disabled={pending}>
        <RefreshCw aria-hidden className={cn(pending && 'animate-spin')} />
        {pending ? 'Pulling…' : 'Pull now'}
      </Button>
    </form>
  );
}
