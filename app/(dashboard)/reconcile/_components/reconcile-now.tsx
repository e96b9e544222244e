'use client';

import { RefreshCcw } from 'lucide-react';
import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import { Button } from '@/components/ui/button';
import { startReconcileAction } from '../actions';

/** The "Reconcile now" button; while a run is going the page refreshes itself to show its progress. */
export function ReconcileNow({ running, lastFinishedAt }: { running: boolean; lastFinishedAt: string | null }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [message, setMessage] = useState<string | null>(null);
  const [waitingForStart, setWaitingForStart] = useState(false);

  useEffect(() => {
    if (!running && !waitingForStart) return;
    const timer = setInterval(() => router.refresh(), 2000);
    return () => clearInterval(timer);
  }, [running, waitingForStart, router]);

  // The run has shown up and ended, or ended before a refresh saw it running: stop waiting for it.
  const [seen, setSeen] = useState({ running, lastFinishedAt });
  if (seen.running !== running || seen.lastFinishedAt !== lastFinishedAt) {
    setSeen({ running, lastFinishedAt });
    if (!running) setWaitingForStart(false);
  }

  return (
    <div className="flex items-center gap-3">
      <span aria-live="polite" className="text-sm text-muted-foreground">
        {message}
      </span>
      <Button
        disabled={running || pending}
        onClick={() =>
          startTransition(async () => {
            const answer = await startReconcileAction();
            setMessage(answer?.message ?? null);
            if (answer?.ok) setWaitingForStart(true);
            router.refresh();
          })
        }
      >
        <RefreshCcw aria-hidden className={running ? 'animate-spin' : undefined} />
        {running ? 'Reconciling…' : 'Reconcile now'}
      </Button>
    </div>
  );
}
