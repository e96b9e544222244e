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

/** A control's id and name, and the aria props tying it to its error or hint. */
export function controlProps(id: string, name: string, errors?: string[], hasHint = false) {
  return { id, name, ...describedBy(id, errors, hasHint) };
}

/**
 * For a form whose control ids start with `id`: `field(name)` gives a control its id, name and the
 * aria props tying it to its error; `error(name)` renders that error.
 */
export function namedFields(id: string, errors?: Partial<Record<string, string[]>>) {
  return {
    field: (name: string) => ({ id: `${id}-${name}`, name, 'aria-invalid': !!errors?.[name] || undefined, 'aria-describedby': errors?.[name] ? `${id}-${name}-error` : undefined }),
    error: (name: string) => <FieldError id={`${id}-${name}-error`} errors={errors?.[name]} />,
    /** A whole field: its label, `control` (made with `field(name)`), what follows it (a hint), then its error. */
    row: (name: string, label: ReactNode, control: ReactNode, after?: ReactNode) => (
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={`${id}-${name}`}>{label}</Label>
        {control}
        {after}
        <FieldError id={`${id}-${name}-error`} errors={errors?.[name]} />
      </div>
    ),
  };
}
