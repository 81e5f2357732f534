import Account from './account';
import Settings from './settings';

/**
 * `/`: the account page, in the settings frame, for whoever is signed in (Pocket ID's start page is the
 * account page too). The frame sends anyone else to `/setup` on a fresh install, else to `/login`.
 */
export default function Home() {
  return (
    <Settings>
      <Account />
    </Settings>
  );
}
