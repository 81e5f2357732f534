import { createContext, useContext, type Accessor } from 'solid-js';
import { api, type User } from '../api/endpoints';

/**
 * The signed-in user, shared by the account pages (the settings frame loads it once). A page that
 * changes the user or their picture says so here, and the frame's header follows.
 */
export interface Session {
  user: Accessor<User>;
  setUser(user: User): void;
  /** The profile picture's URL; changes after an upload or removal, so no cached copy shows. */
  pictureUrl: Accessor<string>;
  pictureChanged(): void;
}

export const SessionContext = createContext<Session>();

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() outside the settings frame');
  return session;
}

/** The picture URL; `version` > 0 asks past the 15-minute image cache (`skipCache`). */
export function pictureUrl(user: Pick<User, 'id'>, version: number): string {
  const url = api.users.pictureUrl(user);
  return version > 0 ? `${url}?skipCache=${version}` : url;
}
