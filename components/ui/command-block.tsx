import { cn } from './cn';
import { CopyButton } from './copy-button';

/**
 * Shell commands to copy: each wraps at any character instead of running off the card (a path or a
 * hostname has no spaces to break at), and one button copies them all without the `$ ` prompts.
 */
export function CommandBlock({ commands, label = 'commands', className }: { commands: readonly string[]; label?: string; className?: string }) {
  return (
    <div className={cn('relative min-w-0 rounded-md border border-border bg-muted/40', className)} data-testid="command-block">
      <pre className="p-2 pr-10 font-mono text-xs break-all whitespace-pre-wrap">{commands.map((c) => `$ ${c}`).join('\n')}</pre>
      <div className="absolute top-1 right-1">
        <CopyButton text={commands.join('\n')} label={label} />
      </div>
    </div>
  );
}
