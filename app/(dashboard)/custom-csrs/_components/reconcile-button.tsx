'use client';

import { RefreshCw } from 'lucide-react';
import { RunNowButton } from '@/components/ui/action-buttons';
import { reconcileCustomCsrsAction } from '../actions';

/** Runs the reconcile job now and says what it changed. */
export function ReconcileButton() {
  return <RunNowButton action={reconcileCustomCsrsAction} icon={RefreshCw} variant="outline" label="Reconcile with Cloudflare" pendingLabel="Reconciling…" />;
}
