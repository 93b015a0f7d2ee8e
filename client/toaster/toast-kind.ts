import { ERROR, INFO, SUCCESS, WARNING } from '../../shared/levels.js';

/** The kind of toast a level shows as: the nearest built-in level at or below it. */
export type ToastKind = 'debug' | 'info' | 'success' | 'warning' | 'error';

/** How long each kind of toast stays, in ms, by default (errors stay until dismissed). */
export const DEFAULT_DURATIONS: Readonly<Record<ToastKind, number>> = {
  debug: 3000,
  info: 4000,
  success: 4000,
  warning: 8000,
  error: Infinity,
};

/** The kind of toast a message of `level` shows as. */
export function toastKind(level: number): ToastKind {
  if (level >= ERROR) return 'error';
  if (level >= WARNING) return 'warning';
  if (level >= SUCCESS) return 'success';
  if (level >= INFO) return 'info';
  return 'debug';
}
