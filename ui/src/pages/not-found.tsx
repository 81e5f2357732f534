import { A } from '@solidjs/router';
import { AuthCard } from '../components/AuthCard';
import { t } from '../i18n';

/** Any path the UI has no page for (the server sent index.html for it as a page route). */
export default function NotFound() {
  return (
    <AuthCard title={t('notFound.title')} description={t('notFound.description')}>
      <A class="button secondary block" href="/">
        {t('notFound.home')}
      </A>
    </AuthCard>
  );
}
