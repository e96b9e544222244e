'use client';

import { Undo2 } from 'lucide-react';
import { useActionState } from 'react';
import { Button, type ButtonSize } from '@/components/ui/button';
import { cn } from '@/components/ui/cn';
import type { CertificateStatus } from '@/lib/generated/prisma/enums';
import { reactivateCertificateAction, type ReactivateState } from './actions';

/** Undoes a revocation while Cloudflare has it pending; says what happened beside the button. */
export function UndoRevocationButton({
  certificateId,
  label,
  size = 'md',
  onDone,
}: {
  certificateId: string;
  label?: string;
  size?: ButtonSize;
  /** Told the certificate's new status when the undo went through. */
  onDone?: (status: CertificateStatus) => void;
}) {
  const [state, formAction, pending] = useActionState<ReactivateState, FormData>(async (previous: ReactivateState, form: FormData) => {
    const next = await reactivateCertificateAction(previous, form);
    if (next?.ok && next.result?.status) onDone?.(next.result.status);
    return next;
  }, null);
  return (
    <form action={formAction} className="inline-flex flex-wrap items-center gap-2">
      <input type="hidden" name="certificateId" value={certificateId} />
      <Button type="submit" variant="outline" size={size} disabled={pending} aria-label={label ? `Undo revocation of ${label}` : undefined}>
        <Undo2 aria-hidden />
        {pending ? 'Undoing…' : 'Undo revocation'}
      </Button>
      <span role="status" aria-live="polite" className={cn('text-sm', state?.ok ? 'text-emerald-700 dark:text-emerald-300' : 'text-destructive', !state && 'sr-only')}>
        {state?.message}
      </span>
    </form>
  );
}
