import { Notice } from '@/components/ui/notice';

/** Says when a detail page could not ask Cloudflare for the current status before showing it. */
export function RefreshNotice({ errors }: { errors: string[] }) {
  return errors.length ? <Notice>Cloudflare could not be asked for the current status, so this may be out of date: {errors.join(' ')}</Notice> : null;
}
