import { TextField } from './TextField';
import { t } from '../i18n';
import type { AccountField, FormState } from '../lib/account-form';

/**
 * First and last name, username and email: the fields signup asks for and the account page edits,
 * with their browser-side and server-side errors (lib/account-form.ts).
 */
export function AccountFields(props: {
  form: FormState<AccountField>;
  requireEmail: boolean;
  disabled?: boolean;
}) {
  const form = props.form;
  return (
    <>
      <div class="row">
        <TextField
          id={form.id('firstName')}
          label={t('account.firstName')}
          autocomplete="given-name"
          maxLength={50}
          disabled={props.disabled}
          value={form.values().firstName}
          onInput={form.input('firstName')}
          error={form.errors().firstName}
        />
        <TextField
          id={form.id('lastName')}
          label={t('account.lastName')}
          autocomplete="family-name"
          maxLength={50}
          optional
          disabled={props.disabled}
          value={form.values().lastName}
          onInput={form.input('lastName')}
          error={form.errors().lastName}
        />
      </div>
      <TextField
        id={form.id('username')}
        label={t('account.username')}
        hint={t('account.usernameHint')}
        autocomplete="username"
        autocapitalize="none"
        spellcheck={false}
        maxLength={50}
        disabled={props.disabled}
        value={form.values().username}
        onInput={form.input('username')}
        error={form.errors().username}
      />
      <TextField
        id={form.id('email')}
        label={t('account.email')}
        type="email"
        autocomplete="email"
        maxLength={254}
        optional={!props.requireEmail}
        disabled={props.disabled}
        value={form.values().email}
        onInput={form.input('email')}
        error={form.errors().email}
      />
    </>
  );
}
