import type { ComponentProps, ReactNode } from 'react';
import { cn } from './cn';

export function Card({ className, ...props }: ComponentProps<'section'>) {
  return <section className={cn('rounded-lg border border-border bg-card text-card-foreground shadow-xs', className)} {...props} />;
}

export function CardHeader({ className, ...props }: ComponentProps<'div'>) {
  return <div className={cn('flex flex-col gap-1 p-5 pb-3', className)} {...props} />;
}

export function CardTitle({ className, ...props }: ComponentProps<'h2'>) {
  return <h2 className={cn('text-sm font-medium text-muted-foreground', className)} {...props} />;
}

export function CardDescription({ className, ...props }: ComponentProps<'p'>) {
  return <p className={cn('text-sm text-muted-foreground', className)} {...props} />;
}

export function CardContent({ className, ...props }: ComponentProps<'div'>) {
  return <div className={cn('p-5 pt-0', className)} {...props} />;
}

/**
 * A card that is a section of its page: an h2 title (with `aside` at its right, e.g. a copy button),
 * an optional description, then the content. `id` and the like go on the card.
 */
export function SectionCard({
  title,
  titleClassName,
  aside,
  description,
  contentClassName,
  children,
  ...props
}: Omit<ComponentProps<'section'>, 'title'> & { title: ReactNode; titleClassName?: string; aside?: ReactNode; description?: ReactNode; contentClassName?: string }) {
  const heading = <h2 className={cn('text-base font-semibold', titleClassName)}>{title}</h2>;
  return (
    <Card {...props}>
      <CardHeader>
        {aside ? (
          <div className="flex flex-wrap items-center justify-between gap-2">
            {heading}
            {aside}
          </div>
        ) : (
          heading
        )}
        {description ? <CardDescription>{description}</CardDescription> : null}
      </CardHeader>
      <CardContent className={contentClassName}>{children}</CardContent>
    </Card>
  );
}
