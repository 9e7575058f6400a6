import { Alert, Button, PasswordInput, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { ApiError, api, must } from '../api/client';
import { t } from '../i18n';
import { problemText } from '../lib/problem';
import type { Me } from './session';

/** Email + password; used on the sign-in page and in the "session ended" dialog. */
export function SignInForm({
  email: initialEmail = '',
  lockEmail = false,
  onSignedIn,
}: {
  email?: string;
  lockEmail?: boolean;
  onSignedIn(me: Me): void;
}) {
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(await must(api.POST('/api/auth/login', { body: { email, password } })));
    } catch (err) {
      setError(problemText(err));
      if (err instanceof ApiError && err.status === 401) setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate aria-label={t('signIn.title')}>
      <Stack gap="sm">
        <TextInput
          label={t('signIn.email')}
          type="email"
          name="email"
          autoComplete="username"
          required
          readOnly={lockEmail}
          value={email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          data-autofocus={!lockEmail || undefined}
        />
        <PasswordInput
          label={t('signIn.password')}
          name="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
          data-autofocus={lockEmail || undefined}
        />
        {error && (
          <Alert color="red" role="alert" data-testid="sign-in-error">
            {error}
          </Alert>
        )}
        <Button type="submit" loading={busy}>
          {t('signIn.submit')}
        </Button>
      </Stack>
    </form>
  );
}
