// The part of workerd's built-in module the worker uses (the project does not install
// @cloudflare/workers-types): the worker's bindings, as miniflare.ts sets them.
declare module 'cloudflare:workers' {
  export const env: {
    /** The signing secret (a secret binding in production). */
    readonly MESSAGES_SECRET: string;
    /** The storage the worker keeps messages in: memory, cookie or fallback. */
    readonly MESSAGES_STORAGE: string;
  };
}
