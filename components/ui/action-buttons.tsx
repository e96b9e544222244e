'use client';

import type { LucideIcon } from 'lucide-react';
import { useActionState } from 'react';
import type { ActionState } from '@/lib/validation/action-state';
import { FormMessage } from './alert';
import { Button, type ButtonVariant } from './button';
import { cn } from './cn';

type FormAction<TState> = (previous: TState, form: FormData) => Promise<TState>;

/**
 * A button that runs a job now (a reconcile, a check) in its own form, with the job's answer to its
 * left in a live region, so a screen reader announces it.
 */
export function RunNowButton<TState extends ActionState>({
  action,
  icon: Icon,
  label,
  pendingLabel,
  variant,
  busy = 'animate-spin',
  statusWidth = 'max-w-xs',
}: {
  action: FormAction<TState>;
  icon: LucideIcon;
  label: string;
  pendingLabel: string;
  variant?: ButtonVariant;
  /** How the icon moves while the job runs. */
  busy?: 'animate-spin' | 'animate-pulse';
  statusWidth?: 'max-w-xs' | 'max-w-sm';
}) {
  const [state, formAction, pending] = useActionState<TState, FormData>(action, null as Awaited<TState>);
  return (
    <form action={formAction} className="flex items-center gap-3">
      <p aria-live="polite" role="status" className={cn(statusWidth, 'text-sm', state && !state.ok ? 'text-destructive' : 'text-muted-foreground')}>
        {state?.message}
      </p>
      <Button type="submit" variant={variant} disabled={pending}>
        <Icon aria-hidden className={pending ? busy : undefined} />
        {pending ? pendingLabel : label}
      </Button>
    </form>
  );
}

/**
 * A small button on one row of a list that runs a server action for that row: the form posts
 * `fields` (the row's id), and `name`, the button's accessible name, says which row the button acts on, since every row has the
 * same visible words. A failure is said beside it; with `status`, a success is too, in a live region.
 */
export function RowActionButton<TState extends ActionState>({
  action,
  fields,
  label,
  name,
  pendingLabel,
  status = false,
  className = 'flex items-center gap-2',
}: {
  action: FormAction<TState>;
  fields: Record<string, string>;
  label: string;
  name: string;
  pendingLabel?: string;
  status?: boolean;
  className?: string;
}) {
  const [state, formAction, pending] = useActionState<TState, FormData>(action, null as Awaited<TState>);
  return (
    <form action={formAction} className={className}>
      {Object.entries(fields).map(([field, value]) => (
        <input key={field} type="hidden" name={field} value={value} />
      ))}
      <Button type="submit" variant="outline" size="sm" disabled={pending} aria-label={name}>
        {pending && pendingLabel ? pendingLabel : label}
      </Button>
      {status ? (
        <FormMessage ok={state?.ok} message={state?.message} className="max-w-xs text-left" />
      ) : state && !state.ok ? (
        <span className="text-xs text-destructive">{state.message}</span>
      ) : null}
    </form>
  );
}
