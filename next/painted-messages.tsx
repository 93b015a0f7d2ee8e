'use client';

import { pageInbox, useIsomorphicLayoutEffect } from '../client/internal.js';
import type { Message } from '../shared/message.js';

/** Props of `<PaintedMessages />`: what the server took for this page (see `takePageMessages`). */
export interface PaintedMessagesProps {
  readonly messages: readonly Message[];
  readonly leaseMs: number;
}

/**
 * Hands the messages the server rendered into the page to the page's Toaster, as the page
 * hydrates (or as a navigation's or an action's payload lands): no request needed. Renders
 * nothing itself.
 */
export function PaintedMessages({ messages, leaseMs }: PaintedMessagesProps) {
  useIsomorphicLayoutEffect(() => pageInbox.hand(messages, leaseMs), [messages, leaseMs]);
  return null;
}
