/** Shown while a dashboard page renders on the server after a navigation. */
export default function DashboardLoading() {
  return (
    <div className="flex animate-pulse flex-col gap-6" aria-busy aria-label="Loading">
      <div className="flex flex-col gap-2">
        <div className="h-7 w-48 rounded-md bg-muted" />
        <div className="h-4 w-72 rounded-md bg-muted" />
      </div>
      <div className="h-64 rounded-lg border border-border bg-card" />
    </div>
  );
}
