'use client';

import { LogOut } from 'lucide-react';
import { signOut } from 'next-auth/react';
import { useTransition } from 'react';
import { Button, type ButtonSize, type ButtonVariant } from '@/components/ui/button';

/** `compact`: icon only below the `sm` breakpoint (the header on a phone has no room for the words). */
export function SignOutButton({ className, variant = 'ghost', size = 'sm', compact = false }: { className?: string; variant?: ButtonVariant; size?: ButtonSize; compact?: boolean }) {
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant={variant}
      size={size}
      className={className}
      disabled={pending}
      onClick={() => startTransition(() => signOut({ callbackUrl: '/signin' }))}
    >
      <LogOut aria-hidden />
      <span className={compact ? 'sr-only sm:not-sr-only' : undefined}>Sign out</span>
    </Button>
  );
}
