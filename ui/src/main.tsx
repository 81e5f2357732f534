import { Route, Router } from '@solidjs/router';
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

setLocale(pickLocale(navigator.languages ?? [navigator.language]));

render(
  () => (
    <Router root={Shell}>
      <Route path="/" component={Home} />
      <Route path="/login" component={Login} />
      <Route path="/login/alternative" component={LoginCode} />
      <Route path="/lc/:code" component={LoginCode} />
      <Route path="/setup" component={Setup} />
      <Route path="*" component={NotFound} />
    </Router>
  ),
  document.getElementById('root')!,
);
