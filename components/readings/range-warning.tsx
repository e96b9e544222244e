/** Why the URL's range was not used; the page then shows the default range. */
export function RangeWarning({ message }: { message: string }) {
  return (
    <p role="status" className="mb-4 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-100">
      {message} Showing the last 24 hours instead.
    </p>
  );
}
