/** What a table's <Suspense> shows while its first page loads. */
export function DataTableSkeleton({ columns = 5, rows = 8 }: { columns?: number; rows?: number }) {
  return (
    <div className="flex animate-pulse flex-col gap-3" aria-busy aria-label="Loading table">
      <div className="h-9 w-72 rounded-md bg-muted" />
      <div className="overflow-hidden rounded-lg border border-border bg-card">
        <div className="h-10 border-b border-border bg-muted/50" />
        {Array.from({ length: rows }, (_, row) => (
          <div key={row} className="flex gap-4 border-b border-border px-3 py-3 last:border-0">
            {Array.from({ length: columns }, (_, column) => (
              <div key={column} className="h-4 flex-1 rounded bg-muted" />
            ))}
          </div>
        ))}
      </div>
      <div className="h-8 w-64 self-end rounded-md bg-muted" />
    </div>
  );
}
