import type { RecipientMessages } from 'trpc-messages/server';
import { t } from '../catalog.js';

/** The key of an export's messages: each takes the previous one's place on screen. */
export const EXPORT_KEY = 'export';

/** The percentages an export reports after its start (0%), before it is ready. */
const STEPS = [25, 50, 75];

/** How long each step of the demo's export takes, in ms. */
const EXPORT_STEP_MS = 500;

/**
 * Runs the demo's export in the background, after the request that started it (and said 0%)
 * has answered: each step's progress, then the result, reach the visitor live through `to`
 * (`messages.to(recipient)`), under EXPORT_KEY, so one toast goes from "25%" to "ready".
 */
export function startExport(to: Pick<RecipientMessages, 'info' | 'success'>): void {
  const steps = [
    ...STEPS.map(
      (percent) => () => to.info(t('export.progress', { percent }), { key: EXPORT_KEY }),
    ),
    () => to.success(t('export.ready'), { key: EXPORT_KEY }),
  ];
  const run = (index: number) => {
    const step = steps[index];
    if (!step) return;
    setTimeout(() => {
      step().then(
        () => run(index + 1),
        (error: unknown) => console.error('demo: the export could not report its progress', error),
      );
    }, EXPORT_STEP_MS).unref();
  };
  run(0);
}
