import {
  Alert,
  Anchor,
  Button,
  Center,
  Fieldset,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { api, must } from '../api/client';
import { t } from '../i18n';
import { fieldErrors, problemText } from '../lib/problem';
import { SignInForm } from './SignInForm';
import type { Me } from './session';

function Frame({ children }: { children: React.ReactNode }) {
  return (
    <Center mih="100vh" p="md" component="main">
      <Paper withBorder shadow="sm" p="xl" w="100%" maw={460} radius="md">
        <Title order={1} size="h2">
          {t('app.name')}
        </Title>
        <Text c="dimmed" mb="lg">
          {t('app.tagline')}
        </Text>
        {children}
      </Paper>
    </Center>
  );
}

/** First visit of a new install: create the first administrator and the first org unit. */
export function FirstRunPage({ onDone }: { onDone(email: string): void }) {
  const [v, setV] = useState({
    name: '',
    email: '',
    password: '',
    unit: 'Head Office',
    region: 'DE',
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Berlin',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setV({ ...v, [k]: e.currentTarget.value });

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setErrors({});
    try {
      await must(
        api.POST('/api/setup', {
          body: {
            name: v.name,
            email: v.email,
            password: v.password,
            orgUnit: { name: v.unit, defaultRegion: v.region.toUpperCase(), timezone: v.timezone },
          },
        }),
      );
      onDone(v.email);
    } catch (err) {
      setErrors(fieldErrors(err));
      setError(problemText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Frame>
      <form onSubmit={submit} noValidate aria-labelledby="setup-title">
        <Stack gap="sm">
          <Title order={2} size="h3" id="setup-title">
            {t('setup.title')}
          </Title>
          <Text size="sm">{t('setup.intro')}</Text>
          <TextInput
            label={t('setup.name')}
            name="name"
            required
            autoComplete="name"
            value={v.name}
            onChange={set('name')}
            error={errors.name}
            data-autofocus
          />
          <TextInput
            label={t('setup.email')}
            name="email"
            type="email"
            required
            autoComplete="username"
            value={v.email}
            onChange={set('email')}
            error={errors.email}
          />
          <PasswordInput
            label={t('setup.password')}
            name="password"
            description={t('setup.passwordHelp')}
            required
            autoComplete="new-password"
            value={v.password}
            onChange={set('password')}
            error={errors.password}
          />
          <Fieldset legend={t('setup.orgUnit')}>
            <Stack gap="sm">
              <TextInput
                label={t('setup.orgUnitName')}
                name="unit"
                required
                value={v.unit}
                onChange={set('unit')}
                error={errors['orgUnit.name']}
              />
              <TextInput
                label={t('setup.region')}
                name="region"
                description={t('setup.regionHelp')}
                required
                maxLength={2}
                value={v.region}
                onChange={set('region')}
                error={errors['orgUnit.defaultRegion']}
              />
              <TextInput
                label={t('setup.timezone')}
                name="timezone"
                required
                value={v.timezone}
                onChange={set('timezone')}
                error={errors['orgUnit.timezone']}
              />
            </Stack>
          </Fieldset>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={busy}>
            {t('setup.submit')}
          </Button>
        </Stack>
      </form>
    </Frame>
  );
}

export function SignInPage({
  email,
  notice,
  onSignedIn,
}: {
  email?: string;
  notice?: string;
  onSignedIn(me: Me): void;
}) {
  return (
    <Frame>
      <Stack gap="sm">
        <Title order={2} size="h3">
          {t('signIn.title')}
        </Title>
        {notice && (
          <Alert color={notice === 'network' ? 'red' : 'blue'} role="status">
            {notice === 'network' ? t('common.networkError') : notice}
          </Alert>
        )}
        <SignInForm email={email} onSignedIn={onSignedIn} />
        <Anchor href="/api/docs" size="sm">
          {t('signIn.apiDocs')}
        </Anchor>
      </Stack>
    </Frame>
  );
}

export function LoadingPage() {
  return (
    <Center mih="100vh" role="status">
      <Text c="dimmed">{t('app.loading')}</Text>
    </Center>
  );
}
