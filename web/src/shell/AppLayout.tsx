import {
  AppShell,
  Badge,
  Burger,
  Button,
  Group,
  Menu,
  NavLink,
  ScrollArea,
  Select,
  Text,
  Title,
  UnstyledButton,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Suspense } from 'react';
import { Outlet, NavLink as RouterNavLink, useLocation } from 'react-router-dom';
import { useLiveConnected } from '../api/live';
import { useSession } from '../auth/session';
import { t } from '../i18n';
import { useSendSms } from '../screens/send-dialog/SendSmsDialog';
import { ScreenLoading } from './ScreenState';
import { SCREENS, SECTIONS } from './screens';

/** Header (org unit switcher, live state, Send SMS, user menu), navigation from SCREENS, and the screen. */
export function AppLayout() {
  const [opened, { toggle, close }] = useDisclosure();
  const session = useSession();
  const live = useLiveConnected();
  const sendSms = useSendSms();
  const location = useLocation();
  const visible = SCREENS.filter((s) => s.label && (!s.permission || session.can(s.permission)));

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 230, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <a href="#main" className="skip-link">
        {t('app.skipToContent')}
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="xs">
          <Group gap="xs" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={t('nav.openMenu')}
            />
            <Title order={1} size="h3">
              {t('app.name')}
            </Title>
            <Badge
              variant="dot"
              color={live ? 'green' : 'gray'}
              visibleFrom="sm"
              aria-live="polite"
              title={live ? t('header.live') : t('header.offline')}
            >
              {live ? t('header.live') : t('header.offline')}
            </Badge>
          </Group>
          <Group gap="xs" wrap="nowrap">
            <Select
              aria-label={t('header.orgUnit')}
              title={t('header.orgUnitHelp')}
              data={session.orgUnits.map((u) => ({ value: u.id, label: u.name }))}
              value={session.currentOrgUnit?.id ?? null}
              onChange={(id) => id && session.setCurrentOrgUnitId(id)}
              allowDeselect={false}
              w={{ base: 130, sm: 200 }}
              size="sm"
              data-testid="org-unit-switcher"
            />
            {session.can('messages.send') && (
              <Button size="sm" onClick={() => sendSms.open({})} visibleFrom="xs">
                {t('nav.sendSms')}
              </Button>
            )}
            <Menu position="bottom-end">
              <Menu.Target>
                <UnstyledButton aria-label={t('header.signedInAs', { name: session.me.name })}>
                  <Text size="sm" fw={600} truncate maw={140}>
                    {session.me.name}
                  </Text>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{t('header.signedInAs', { name: session.me.name })}</Menu.Label>
                <Menu.Item onClick={() => void session.signOut()}>{t('header.signOut')}</Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label={t('nav.label')} component="nav">
        <ScrollArea>
          {SECTIONS.map((section) => {
            const items = visible.filter((s) => s.section === section.id);
            if (!items.length) return null;
            return (
              <div key={section.id}>
                <Text size="xs" c="dimmed" fw={700} tt="uppercase" px="sm" pt="sm" pb={4}>
                  {t(section.label)}
                </Text>
                {items.map((s) => (
                  <NavLink
                    key={s.path}
                    component={RouterNavLink}
                    to={s.path}
                    label={t(s.label!)}
                    active={location.pathname === s.path || location.pathname.startsWith(`${s.path}/`)}
                    onClick={close}
                  />
                ))}
              </div>
            );
          })}
          {session.can('messages.send') && (
            <NavLink
              component="button"
              hiddenFrom="xs"
              label={t('nav.sendSms')}
              onClick={() => {
                close();
                sendSms.open({});
              }}
            />
          )}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main id="main" tabIndex={-1}>
        <VisuallyHidden aria-live="polite">{live ? '' : t('header.offline')}</VisuallyHidden>
        <Suspense fallback={<ScreenLoading />}>
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
