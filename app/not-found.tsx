import Link from 'next/link';
import { buttonClasses } from '@/components/ui/button';
import { EmptyState } from '@/components/ui/empty-state';

export default function NotFound() {
  return (
    <main className="mx-auto max-w-xl px-4 py-24">
      <EmptyState
        title="Page not found"
        action={
          <Link href="/" className={buttonClasses({ variant: 'outline' })}>
            Back to the overview
          </Link>
        }
      >
        There is nothing at this address.
      </EmptyState>
    </main>
  );
}
