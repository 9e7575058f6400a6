import { Stack, Tabs } from '@mantine/core';
import { useSearchParams } from 'react-router-dom';
import { useSession } from '../../auth/session';
import { type MessageKey, t } from '../../i18n';
import { ScreenHeader } from '../../shell/ScreenState';
import { ApiKeysTab } from './ApiKeysTab';
import { AuditLogTab } from './AuditLogTab';
import { OrgUnitsTab } from './OrgUnitsTab';
import { UsersTab } from './UsersTab';
import { WebhooksTab } from './WebhooksTab';

/** Administration: one tab per area, each shown only with its permission; the tab is in the URL. */
export default function AdminScreen() {
  const session = useSession();
  const [params, setParams] = useSearchParams();
  const tabs = [
    {
      id: 'org-units',
      label: 'admin.tab.orgUnits',
      show: session.can('org_units.read'),
      el: <OrgUnitsTab />,
    },
    { id: 'users', label: 'admin.tab.users', show: session.can('users.read'), el: <UsersTab /> },
    { id: 'api-keys', label: 'admin.tab.apiKeys', show: session.can('api_keys.manage'), el: <ApiKeysTab /> },
    {
      id: 'webhooks',
      label: 'admin.tab.webhooks',
      show: session.can('webhooks.manage'),
      el: <WebhooksTab />,
    },
    { id: 'audit', label: 'admin.tab.audit', show: session.can('security_events.read'), el: <AuditLogTab /> },
  ].filter((x) => x.show);
  const current = tabs.find((x) => x.id === params.get('tab'))?.id ?? tabs[0]?.id ?? null;
  return (
    <Stack gap="sm">
      <ScreenHeader title={t('admin.title')} intro={t('admin.intro')} />
      <Tabs
        value={current}
        onChange={(v) => v && setParams({ tab: v }, { replace: true })}
        keepMounted={false}
      >
        <Tabs.List>
          {tabs.map((x) => (
            <Tabs.Tab key={x.id} value={x.id}>
              {t(x.label as MessageKey)}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map((x) => (
          <Tabs.Panel key={x.id} value={x.id} pt="md">
            {x.el}
          </Tabs.Panel>
        ))}
      </Tabs>
    </Stack>
  );
}
