/**
 * The process's environment variable `name`, when the runtime has a process (Node, Bun, Deno,
 * workerd with nodejs_compat); undefined where it has none (workerd without it, browsers).
 */
export function environment(name: string): string | undefined {
  return globalThis.process?.env?.[name];
}

/** Whether the runtime has environment variables at all (workerd without nodejs_compat has none). */
export function hasEnvironment(): boolean {
  return globalThis.process?.env !== undefined;
}

/** Whether NODE_ENV says production. */
export function inProduction(): boolean {
  return environment('NODE_ENV') === 'production';
}
