'use client';

import { type ComponentProps, useId, useState } from 'react';
import { cn } from './cn';
import { Input } from './input';

// Fixed locale: the app writes "Dec 6, 2026" everywhere (components/certificates/format.ts).
const day = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' });
const dayTime = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' });

/**
 * What a date input's value reads as in the app's format: "Dec 6, 2026" for a `date` value (a calendar day, so
 * no zone shifts it), "Dec 6, 2026, 2:05 PM" for a `datetime-local` one (the browser's zone, as the input means).
 */
export function formatDateInputValue(type: 'date' | 'datetime-local', value: string): string | null {
  if (!value) return null;
  const parsed = type === 'date' ? new Date(`${value}T00:00:00Z`) : new Date(value);
  if (Number.isNaN(parsed.getTime())) return null;
  return (type === 'date' ? day : dayTime).format(parsed);
}

/**
 * A native date or date-time input with the chosen value written beside it the way the rest of the app writes
 * dates: Chromium shows the input in the OS locale (12/06/2026), which reads differently from every other date
 * on the page.
 */
export function DateInput({
  type,
  className,
  inputClassName,
  onChange,
  ...props
}: Omit<ComponentProps<'input'>, 'type'> & { type: 'date' | 'datetime-local'; inputClassName?: string }) {
  const echoId = useId();
  const [typed, setTyped] = useState(String(props.defaultValue ?? ''));
  const value = props.value !== undefined ? String(props.value) : typed;
  const shown = formatDateInputValue(type, value);
  return (
    <span className={cn('inline-flex flex-col gap-0.5', className)}>
      <Input
        type={type}
        className={inputClassName}
        aria-describedby={echoId}
        onChange={(event) => {
          setTyped(event.target.value);
          onChange?.(event);
        }}
        {...props}
      />
      <span id={echoId} data-testid="date-echo" className="text-xs text-muted-foreground">
        {shown ?? (type === 'date' ? 'No date' : 'No date and time')}
      </span>
    </span>
  );
}
