// On sonner's own rules (its light rich colours put 13px text below WCAG AA contrast, 3.1:1 to
// 4.4:1: the same hues, darker, reach 5:1 or more), for the Toaster's toasts only: close buttons
// of at least 24 x 24 px (WCAG 2.2 target size), a focus ring that shows on every colour, the
// debug kind set apart, the repeat count as a badge, and no slide under reduced motion (sonner
// stills its toasts itself).
/** The Toaster's style sheet, scoped to its class (`trpc-messages`). */
export const TOASTER_STYLES =
  '.trpc-messages[data-sonner-toaster][data-sonner-theme=light]{--success-text:#007a29;--info-text:#0866c4;--warning-text:#934f06;--error-text:#c00}' +
  '.trpc-messages [data-sonner-toast][data-styled] [data-close-button]{width:24px;height:24px;min-height:24px}' +
  '.trpc-messages :focus-visible{outline:2px solid!important;outline-offset:2px}' +
  '.trpc-messages [data-button]:focus-visible{outline-color:var(--normal-text)!important}' +
  '.trpc-messages [data-sonner-toast]:not([data-type]){border-style:dashed;font-family:ui-monospace,monospace}' +
  '.trpc-messages [data-count]{margin-inline-start:6px;padding:0 5px;border:1px solid;border-radius:9px;font-size:11px}' +
  '.trpc-messages [data-count] span+span{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}' +
  '@media (prefers-reduced-motion){.trpc-messages{transition:none!important}}';
