import type { Message } from '../../shared/message.js';

/** A tRPC client whose router mounts the messages router at `messages`. */
export interface MessagesClient {
  readonly messages: {
    readonly consume: {
      query(): Promise<{
        readonly messages: readonly Message[];
        readonly liveSignalsAll?: boolean;
        readonly leaseMs?: number;
      }>;
    };
    readonly live?: {
      subscribe(
        input: undefined,
        options: {
          onData(signal: unknown): void;
          onError(error: unknown): void;
          onComplete(): void;
        },
      ): { unsubscribe(): void };
    };
  };
}
