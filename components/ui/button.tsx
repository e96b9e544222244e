import type { LucideIcon } from 'lucide-react';
import type { ComponentProps, ReactNode } from 'react';
import { cn } from './cn';

const variants = {
  primary: 'bg-primary text-primary-foreground hover:bg-primary/90 shadow-xs',
  outline: 'border border-border bg-background hover:bg-muted',
  ghost: 'hover:bg-muted',
  // Dark mode's --destructive is light enough to read as text on a dark page, too light under white text.
  destructive: 'bg-destructive text-white hover:bg-destructive/90 dark:bg-red-700 dark:hover:bg-red-700/90 shadow-xs',
} as const;

const sizes = {
  md: 'h-9 px-3.5 text-sm',
  sm: 'h-8 px-2.5 text-sm',
  icon: 'size-9',
  'icon-sm': 'size-8',
} as const;

export type ButtonVariant = keyof typeof variants;
export type ButtonSize = keyof typeof sizes;

export function buttonClasses({ variant = 'primary', size = 'md' }: { variant?: ButtonVariant; size?: ButtonSize } = {}) {
  return cn(
    'inline-flex shrink-0 cursor-pointer items-center justify-center gap-2 rounded-md font-medium whitespace-nowrap transition-colors',
    'focus-visible:ring-2 focus-visible:ring-ring focus-visible:ring-offset-2 focus-visible:ring-offset-background focus-visible:outline-none',
    'disabled:pointer-events-none disabled:opacity-50 [&_svg]:size-4 [&_svg]:shrink-0',
    variants[variant],
    sizes[size],
  );
}

export function Button({
  variant,
  size,
  className,
  type = 'button',
  ...props
}: ComponentProps<'button'> & { variant?: ButtonVariant; size?: ButtonSize }) {
  return <button type={type} className={cn(buttonClasses({ variant, size }), className)} {...props} />;
}

/** A form's submit button that says while the form works: disabled, and `pendingLabel` instead of `label`. */
export function SubmitButton({
  pending,
  label,
  pendingLabel,
  icon: Icon,
  ...props
}: Omit<ComponentProps<typeof Button>, 'type' | 'children' | 'disabled'> & { pending: boolean; label: ReactNode; pendingLabel: ReactNode; icon?: LucideIcon }) {
  return (
    <Button type="submit" disabled={pending} {...props}>
      {Icon ? <Icon aria-hidden /> : null}
      {pending ? pendingLabel : label}
    </Button>
  );
}
