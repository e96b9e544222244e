import type { ComponentProps } from 'react';
import { cn } from './cn';
import { fieldClasses } from './input';

export function Textarea({ className, ...props }: ComponentProps<'textarea'>) {
  return <textarea className={cn(fieldClasses, 'min-h-20 py-2', className)} {...props} />;
}

/** A textarea for a PEM block: monospaced, its armour (`pemLabel`, e.g. CERTIFICATE) as the placeholder. */
export function PemTextarea({ pemLabel, className, ...props }: ComponentProps<'textarea'> & { pemLabel: string }) {
  return <textarea className={cn(fieldClasses, 'py-2 font-mono text-xs', className)} placeholder={`-----BEGIN ${pemLabel}-----\n…\n-----END ${pemLabel}-----`} {...props} />;
}
