import { Alert, Button, Group, Modal, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { t } from '../../i18n';
import { fieldErrors, problemText } from '../../lib/problem';

type Result = Schemas['TestSendResult'];

/** One SMS straight through a gateway, with the gateway's answer in plain words. */
export function TestSendModal({ gateway, onClose }: { gateway: Schemas['Gateway'] | null; onClose(): void }) {
  return (
    <Modal
      opened={gateway !== null}
      onClose={onClose}
      title={gateway ? t('testSend.title', { name: gateway.name }) : ''}
    >
      {gateway && <TestSendForm gateway={gateway} onClose={onClose} />}
    </Modal>
  );
}

function TestSendForm({ gateway, onClose }: { gateway: Schemas['Gateway']; onClose(): void }) {
  const [to, setTo] = useState('');
  const [text, setText] = useState(t('testSend.defaultText'));
  const [from, setFrom] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<Result>();
  const errors = fieldErrors(error);

  const send = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(
        await must(
          api.POST('/api/gateways/{id}/test-send', {
            params: { path: { id: gateway.id } },
            body: { to: to.trim(), text, ...(from.trim() ? { from: from.trim() } : {}) },
          }),
        ),
      );
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={send} noValidate>
      <Stack gap="sm">
        <Text size="sm" c="dimmed">
          {t('testSend.intro')}
        </Text>
        <TextInput
          label={t('testSend.to')}
          type="tel"
          required
          value={to}
          onChange={(e) => setTo(e.currentTarget.value)}
          error={errors.to}
          data-autofocus
        />
        <Textarea
          label={t('testSend.text')}
          required
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={errors.text}
          autosize
          minRows={2}
        />
        <TextInput
          label={t('testSend.from')}
          value={from}
          onChange={(e) => setFrom(e.currentTarget.value)}
          error={errors.from}
        />
        {result && (
          <Alert
            color={result.ok ? 'green' : 'red'}
            role={result.ok ? 'status' : 'alert'}
            data-testid="test-send-result"
          >
            {result.ok
              ? t('testSend.ok', { status: result.status, id: result.messageId, parts: result.parts })
              : t('testSend.failed', { text: result.text, code: result.code, class: result.class })}
          </Alert>
        )}
        {error !== undefined && !Object.keys(errors).length && (
          <Alert color="red" role="alert">
            {problemText(error)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.close')}
          </Button>
          <Button type="submit" loading={busy} disabled={!to.trim() || !text.trim()}>
            {t('testSend.send')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
