'use client';

import { ShieldQuestion } from 'lucide-react';
import { RunNowButton } from '@/components/ui/action-buttons';
import { runEnforcementCheckAction } from '../actions';

/** Runs the enforcement check now (the same job the scheduler runs). */
export function RunCheckButton() {
  return <RunNowButton action={runEnforcementCheckAction} icon={ShieldQuestion} busy="animate-pulse" statusWidth="max-w-sm" label="Run enforcement check" pendingLabel="Checking…" />;
}
