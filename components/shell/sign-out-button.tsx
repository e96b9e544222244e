'use client';

import { LogOut } from 'lucide-react';
import { signOut } from 'next-auth/react';
import { useTransition } from 'react';
import { Button, type ButtonSize, type ButtonVariant } from '@/components/ui/button';

export function SignOutButton({ className, variant = 'ghost', size = 'sm' }: { className?: string; variant?: ButtonVariant; size?: ButtonSize }) {
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
      Sign out
    </Button>
  );
}
