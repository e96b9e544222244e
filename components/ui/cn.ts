import { clsx, type ClassValue } from 'clsx';

/** Joins class names. Without tailwind-merge, a caller's class does not replace a variant's: pass non-conflicting ones. */
export function cn(...inputs: ClassValue[]): string {
  return clsx(inputs);
}
