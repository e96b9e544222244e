import type { ComponentProps } from 'react';
import { cn } from './cn';
import { ScrollRegion } from './scroll-region';

/** A table in a box that scrolls sideways when it is wider than the page (then a keyboard can focus and scroll it). */
export function Table({ className, ...props }: ComponentProps<'table'>) {
  return (
    <ScrollRegion label={props['aria-label'] ? `${props['aria-label']} (scrolls sideways)` : 'Table (scrolls sideways)'}>
      <table className={cn('w-full caption-bottom text-sm', className)} {...props} />
    </ScrollRegion>
  );
}

export function TableHeader({ className, ...props }: ComponentProps<'thead'>) {
  return <thead className={cn('bg-muted/50 [&_tr]:border-b', className)} {...props} />;
}

export function TableBody({ className, ...props }: ComponentProps<'tbody'>) {
  return <tbody className={cn('[&_tr:last-child]:border-0', className)} {...props} />;
}

export function TableRow({ className, ...props }: ComponentProps<'tr'>) {
  return <tr className={cn('border-b border-border transition-colors hover:bg-muted/40', className)} {...props} />;
}

export function TableHead({ className, align = 'start', ...props }: Omit<ComponentProps<'th'>, 'align'> & { align?: 'start' | 'end' }) {
  return (
    <th
      className={cn('h-10 px-3 align-middle text-xs font-medium whitespace-nowrap text-muted-foreground', align === 'end' ? 'text-right' : 'text-left', className)}
      {...props}
    />
  );
}

export function TableCell({ className, ...props }: ComponentProps<'td'>) {
  return <td className={cn('px-3 py-2.5 align-middle', className)} {...props} />;
}
