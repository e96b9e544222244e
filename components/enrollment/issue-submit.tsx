import { FormMessage } from '@/components/ui/alert';
import { Button } from '@/components/ui/button';

/** The end of the enroll and renew forms: the form's message, the submit button, and what is happening now. */
export function IssueSubmit({ message, busy, label, busyLabel }: { message: string | null; busy: string | null; label: string; busyLabel: string }) {
  return (
    <>
      <FormMessage message={message ?? undefined} />
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={!!busy}>
          {busy ? busyLabel : label}
        </Button>
        <span aria-live="polite" className="text-sm text-muted-foreground">
          {busy}
        </span>
      </div>
    </>
  );
}
