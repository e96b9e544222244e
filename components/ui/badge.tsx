import type { ComponentProps } from 'react';
import type { RoleName } from '@/lib/auth/permissions';
import { cn } from './cn';

const tones = {
  neutral: 'bg-muted text-foreground border-border',
  info: 'bg-sky-50 text-sky-800 border-sky-200 dark:bg-sky-950 dark:text-sky-200 dark:border-sky-900',
  success: 'bg-emerald-50 text-emerald-800 border-emerald-200 dark:bg-emerald-950 dark:text-emerald-200 dark:border-emerald-900',
  warning: 'bg-amber-50 text-amber-800 border-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:border-amber-900',
  danger: 'bg-red-50 text-red-800 border-red-200 dark:bg-red-950 dark:text-red-200 dark:border-red-900',
  violet: 'bg-violet-50 text-violet-800 border-violet-200 dark:bg-violet-950 dark:text-violet-200 dark:border-violet-900',
} as const;

export type BadgeTone = keyof typeof tones;

export function Badge({ tone = 'neutral', className, ...props }: ComponentProps<'span'> & { tone?: BadgeTone }) {
  return (
    <span
      className={cn('inline-flex items-center rounded-md border px-1.5 py-0.5 text-xs font-medium whitespace-nowrap', tones[tone], className)}
      {...props}
    />
  );
}

const roleTones: Record<RoleName, BadgeTone> = { ADMIN: 'violet', SUPPORT: 'info', MANAGER: 'neutral' };
const roleLabels: Record<RoleName, string> = { ADMIN: 'Admin', SUPPORT: 'Support', MANAGER: 'Manager' };

export function RoleBadge({ role, className }: { role: RoleName; className?: string }) {
  return (
    <Badge tone={roleTones[role]} className={className}>
      {roleLabels[role]}
    </Badge>
  );
}

export function roleLabel(role: RoleName): string {
  return roleLabels[role];
}
