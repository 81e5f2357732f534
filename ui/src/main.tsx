import { Navigate, Route, Router } from '@solidjs/router';
import { lazy } from 'solid-js';
import { render } from 'solid-js/web';
import { pickLocale, setLocale } from './i18n';
import { Shell } from './shell';
import './styles.css';

// One chunk per page, so /login loads no code of the signed-in pages (the bench checks its size).
const Home = lazy(() => import('./pages/home'));
const Login = lazy(() => import('./pages/login'));
const LoginCode = lazy(() => import('./pages/login-code'));
const Setup = lazy(() => import('./pages/setup'));
const NotFound = lazy(() => import('./pages/not-found'));
// The signed-in pages, in the settings frame (`/` shows the account page), and signup.
const Settings = lazy(() => import('./pages/settings'));
const Account = lazy(() => import('./pages/account'));
const MyApps = lazy(() => import('./pages/settings-apps'));
const AuditLog = lazy(() => import('./pages/settings-audit-log'));
const Signup = lazy(() => import('./pages/signup'));
// The authorization pages (consent, device codes, logout confirmation).
const Interaction = lazy(() => import('./pages/interaction'));
const InteractionError = lazy(() => import('./pages/interaction-error'));
const Device = lazy(() => import('./pages/device'));
const Logout = lazy(() => import('./pages/logout'));

setLocale(pickLocale(navigator.languages ?? [navigator.language]));

render(
  () => (
    <Router root={Shell}>
      <Route path="/" component={Home} />
      <Route path="/login" component={Login} />
      <Route path="/login/alternative" component={LoginCode} />
      <Route path="/lc/:code" component={LoginCode} />
      <Route path="/setup" component={Setup} />
      <Route path="/settings" component={Settings}>
        <Route path="/" component={() => <Navigate href="/settings/account" />} />
        <Route path="/account" component={Account} />
        <Route path="/apps" component={MyApps} />
        <Route path="/audit-log" component={AuditLog} />
      </Route>
      <Route path="/signup" component={Signup} />
      <Route path="/st/:token" component={Signup} />
      <Route path="/interaction" component={Interaction} />
      <Route path="/interaction/error" component={InteractionError} />
      <Route path="/device" component={Device} />
      <Route path="/logout" component={Logout} />
      <Route path="*" component={NotFound} />
    </Router>
  ),
  document.getElementById('root')!,
);
