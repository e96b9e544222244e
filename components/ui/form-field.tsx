import type { ReactNode } from 'react';
import { FieldError, Label } from '@/components/ui/input';

/** A labelled field with its hint or its errors; `id` is the control's id. */
export function FormField({ id, label, errors, hint, children }: { id: string; label: string; errors?: string[]; hint?: ReactNode; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1.5">
      <Label htmlFor={id}>{label}</Label>
      {children}
      {hint && !errors?.length ? (
        <p id={`${id}-hint`} className="text-xs text-muted-foreground">
          {hint}
        </p>
      ) : null}
      <FieldError id={`${id}-error`} errors={errors} />
    </div>
  );
}

/** aria props tying a control to its error or hint. */
export function describedBy(id: string, errors?: string[], hasHint = false) {
  return {
    'aria-invalid': errors?.length ? true : undefined,
    'aria-describedby': errors?.length ? `${id}-error` : hasHint ? `${id}-hint` : undefined,
  } as const;
}
