/** Level of a message meant for developers; below the default minimum, so not stored unless asked. */
export const DEBUG = 10;
/** Level of an informational message. */
export const INFO = 20;
/** Level of a message that confirms an action succeeded. */
export const SUCCESS = 25;
/** Level of a message about something that is not yet an error. */
export const WARNING = 30;
/** Level of a message about an action that failed. */
export const ERROR = 40;

/** The built-in levels by name (Django's DEFAULT_MESSAGE_LEVELS). */
export const DEFAULT_LEVELS = { DEBUG, INFO, SUCCESS, WARNING, ERROR } as const;

/** The name of a built-in level. */
export type LevelName = keyof typeof DEFAULT_LEVELS;

/** Whether `level` can be a level: a safe integer. */
export function isLevel(level: unknown): level is number {
  return typeof level === 'number' && Number.isSafeInteger(level);
}

/** Throws a TypeError unless `level` is a safe integer (the only thing a level may be). */
export function assertLevel(level: unknown, what = 'level'): asserts level is number {
  if (!isLevel(level)) throw new TypeError(`trpc-messages: ${levelProblem(level, what)}`);
}

/** What is wrong with `level`, which is not a level (`what` names it: 'the minimum level'). */
export function levelProblem(level: unknown, what = 'level'): string {
  return `${what} must be a safe integer such as INFO (20), got ${describe(level)}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return String(value);
  return value === null ? 'null' : typeof value;
}
