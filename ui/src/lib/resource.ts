import type { Resource } from 'solid-js';

/**
 * A resource's value once it has one, also while it reloads, without suspending the page (reading a
 * loading resource under the shell's <Suspense> would blank the whole page); undefined before it
 * first loads and after an error.
 */
export function settled<T>(resource: Resource<T>): T | undefined {
  return resource.state === 'ready' || resource.state === 'refreshing' ? resource.latest : undefined;
}
