import { Alert, Button, Center, Group, Loader, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { t } from '../i18n';
import { problemText } from '../lib/problem';

export function ScreenLoading() {
  return (
    <Center py="xl" role="status" aria-label={t('app.loading')}>
      <Loader size="sm" />
    </Center>
  );
}

/** A failed load, in plain words, with a retry. */
export function LoadError({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Alert color="red" role="alert" title={t('common.error')}>
      <Stack gap="xs" align="flex-start">
        <Text size="sm">{problemText(error)}</Text>
        {onRetry && (
          <Button size="xs" variant="light" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}

/** Title, one-line intro and actions on the right: the top of every screen. */
export function ScreenHeader({
  title,
  intro,
  actions,
}: {
  title: string;
  intro?: string;
  actions?: ReactNode;
}) {
  return (
    <Group justify="space-between" align="flex-start" mb="md" gap="sm">
      <div>
        <Title order={2}>{title}</Title>
        {intro && (
          <Text c="dimmed" size="sm">
            {intro}
          </Text>
        )}
      </div>
      {actions && <Group gap="xs">{actions}</Group>}
    </Group>
  );
}
