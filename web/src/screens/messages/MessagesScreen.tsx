import { Alert, Button, Group, Stack } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { api, must } from '../../api/client';
import { useSession } from '../../auth/session';
import { t } from '../../i18n';
import { problemText } from '../../lib/problem';
import { LoadError, ScreenHeader } from '../../shell/ScreenState';
import { useSendSms } from '../send-dialog/SendSmsDialog';
import { MessageDetailDrawer } from './MessageDetailDrawer';
import { MessageList } from './MessageList';
import { defaultMessageFilters, type MessageFilters, useMessages } from './useMessages';

/** SMS messages: every message with filters above each column, live statuses, resend, details. */
export default function MessagesScreen() {
  const session = useSession();
  const qc = useQueryClient();
  const sendSms = useSendSms();
  // Defaults to the current org unit, as users expect their own unit's messages first.
  const [filters, setFilters] = useState<MessageFilters>(() =>
    defaultMessageFilters(session.currentOrgUnit?.id),
  );
  const { query, rows } = useMessages(filters);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [detailId, setDetailId] = useState<string | null>(null);
  const [resending, setResending] = useState(false);
  const selected = rows.find((m) => m.id === selectedId);
  const changeFilters = useCallback((f: MessageFilters) => {
    setFilters(f);
    setSelectedId(null);
  }, []);

  const resend = async () => {
    if (!selected) return;
    setResending(true);
    try {
      const r = await must(api.POST('/api/messages/{id}/resend', { params: { path: { id: selected.id } } }));
      notifications.show({ color: 'green', message: t('messages.resendDone') });
      await qc.invalidateQueries({ queryKey: ['messages'] });
      setSelectedId(r.id);
    } catch (err) {
      notifications.show({ color: 'red', title: t('messages.resend'), message: problemText(err) });
    } finally {
      setResending(false);
    }
  };

  return (
    <Stack gap="sm">
      <ScreenHeader
        title={t('messages.title')}
        intro={t('messages.intro')}
        actions={
          <>
            <Button
              variant="default"
              onClick={() => void query.refetch()}
              loading={query.isRefetching && !query.isFetchingNextPage}
            >
              {t('common.refresh')}
            </Button>
            {session.can('messages.send') && (
              <Button variant="light" onClick={() => sendSms.open({})}>
                {t('nav.sendSms')}
              </Button>
            )}
            {session.can('messages.resend') && (
              <Button
                onClick={resend}
                loading={resending}
                disabled={!selected?.canResend}
                title={t('messages.resendHint')}
                data-testid="resend"
              >
                {t('messages.resend')}
              </Button>
            )}
          </>
        }
      />
      {query.error && <LoadError error={query.error} onRetry={() => void query.refetch()} />}
      <MessageList
        rows={rows}
        filters={filters}
        onFilters={changeFilters}
        loading={query.isPending}
        selectedId={selectedId}
        onSelect={setSelectedId}
        onOpen={setDetailId}
      />
      <Group justify="center">
        {query.hasNextPage && (
          <Button
            variant="default"
            onClick={() => void query.fetchNextPage()}
            loading={query.isFetchingNextPage}
          >
            {t('common.loadMore')}
          </Button>
        )}
      </Group>
      {!query.isPending && rows.length === 0 && !query.error && (
        <Alert color="gray">{t('common.noRows')}</Alert>
      )}
      <MessageDetailDrawer id={detailId} onClose={() => setDetailId(null)} />
    </Stack>
  );
}
