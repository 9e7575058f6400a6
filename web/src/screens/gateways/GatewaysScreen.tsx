import {
  ActionIcon,
  Badge,
  Button,
  Card,
  CopyButton,
  Group,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { formatMoney, t } from '../../i18n';
import { LoadError, ScreenHeader, ScreenLoading } from '../../shell/ScreenState';
import { GatewayFormModal, kindLabel } from './GatewayFormModal';
import { useOwnership } from './ownership';
import { SendersSection } from './SendersSection';
import { TestSendModal } from './TestSendModal';

type Gateway = Schemas['Gateway'];

/** A URL to give the gateway, read-only with a copy button. */
function CopyUrl({ label, url }: { label: string; url: string }) {
  return (
    <TextInput
      label={label}
      value={url}
      readOnly
      size="xs"
      onFocus={(e) => e.currentTarget.select()}
      rightSection={
        <CopyButton value={url}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? t('gateways.copied') : t('gateways.copy')}>
              <ActionIcon
                variant="subtle"
                onClick={copy}
                aria-label={t('gateways.copyLabel', { what: label })}
                size="sm"
              >
                {copied ? '✓' : '⧉'}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      }
    />
  );
}

/** A gateway's card; `onEdit` only for those who may change it (see `useOwnership`). */
function GatewayCard({
  g,
  owner,
  onEdit,
  onTest,
}: {
  g: Gateway;
  owner: string;
  onEdit?: () => void;
  onTest(): void;
}) {
  return (
    <Card withBorder padding="md" data-testid="gateway-card" data-name={g.name}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Text fw={700} truncate>
            {g.name}
          </Text>
          <Badge variant="light" tt="none">
            {kindLabel(g.kind)}
          </Badge>
        </Group>
        <Text size="sm" data-testid="gateway-owner">
          {t('gateways.owner', { owner })}
        </Text>
        <Text size="sm" c="dimmed">
          {t('gateways.throughput', { n: g.messagesPerSecond })} · {t('gateways.maxParts', { n: g.maxParts })}{' '}
          ·{' '}
          {g.pricePerPart != null && g.currency
            ? t('gateways.price', { price: formatMoney(g.pricePerPart, g.currency) })
            : t('gateways.noPrice')}
        </Text>
        {g.callbackUrl && <CopyUrl label={t('gateways.callbackUrl')} url={g.callbackUrl} />}
        {g.inboundUrl && <CopyUrl label={t('gateways.inboundUrl')} url={g.inboundUrl} />}
        <Group gap="xs">
          {onEdit && (
            <Button size="xs" variant="light" onClick={onEdit} aria-label={`${t('gateways.edit')} ${g.name}`}>
              {t('gateways.edit')}
            </Button>
          )}
          <Button
            size="xs"
            variant="default"
            onClick={onTest}
            aria-label={`${t('gateways.testSend')} ${g.name}`}
          >
            {t('gateways.testSend')}
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}

/** Gateways (provider accounts) with their URLs, edit and test send; sender configurations per org unit. */
export default function GatewaysScreen() {
  const gateways = useQuery({ queryKey: ['gateways'], queryFn: () => must(api.GET('/api/gateways', {})) });
  const [editing, setEditing] = useState<Gateway | 'new' | null>(null);
  const [testing, setTesting] = useState<Gateway | null>(null);
  const items = gateways.data?.items ?? [];
  const ownership = useOwnership();
  return (
    <Stack gap="lg">
      <ScreenHeader
        title={t('gateways.title')}
        intro={t('gateways.intro')}
        actions={<Button onClick={() => setEditing('new')}>{t('gateways.add')}</Button>}
      />
      {gateways.isPending && <ScreenLoading />}
      {gateways.error && <LoadError error={gateways.error} onRetry={() => void gateways.refetch()} />}
      {!gateways.isPending && items.length === 0 && <Text c="dimmed">{t('gateways.none')}</Text>}
      <SimpleGrid cols={{ base: 1, md: 2, xl: 3 }}>
        {items.map((g) => (
          <GatewayCard
            key={g.id}
            g={g}
            owner={ownership.ownerLabel(g.orgUnitId)}
            // Test sends stay for every gateway listed: the server lets gateway managers test any they see.
            onEdit={ownership.manages(g.orgUnitId) ? () => setEditing(g) : undefined}
            onTest={() => setTesting(g)}
          />
        ))}
      </SimpleGrid>
      {gateways.data && <SendersSection gateways={items} />}
      <GatewayFormModal
        opened={editing !== null}
        onClose={() => setEditing(null)}
        gateway={editing && editing !== 'new' ? editing : undefined}
      />
      <TestSendModal gateway={testing} onClose={() => setTesting(null)} />
    </Stack>
  );
}
