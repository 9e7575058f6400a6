import { Modal, Text } from '@mantine/core';
import { useCallback, useMemo } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router-dom';
import { LiveProvider } from './api/live';
import { FirstRunPage, LoadingPage, SignInPage } from './auth/AuthPages';
import { SignInForm } from './auth/SignInForm';
import { type Me, SessionProvider, useAuthState, useSession } from './auth/session';
import { t } from './i18n';
import { SendSmsProvider } from './screens/send-dialog/SendSmsDialog';
import { AppLayout } from './shell/AppLayout';
import { SCREENS } from './shell/screens';

function Home() {
  const { can } = useSession();
  const first = SCREENS.find((s) => s.label && (!s.permission || can(s.permission)));
  return first ? <Navigate to={first.path} replace /> : <Text p="md">{t('common.noRows')}</Text>;
}

/** The router is created once per signed-in user (permissions decide which routes exist). */
function SignedInRouter() {
  const { can } = useSession();
  // biome-ignore lint/correctness/useExhaustiveDependencies: one router per session (SessionProvider is keyed by user)
  const router = useMemo(
    () =>
      createBrowserRouter([
        {
          path: '/',
          element: <AppLayout />,
          children: [
            { index: true, element: <Home /> },
            ...SCREENS.filter((s) => !s.permission || can(s.permission)).map((s) => ({
              path: s.path,
              element: s.element,
            })),
            { path: '*', element: <Home /> },
          ],
        },
      ]),
    [],
  );
  return <RouterProvider router={router} />;
}

/** Loading → first run → sign-in → the app; an expired session shows a sign-in dialog over the app. */
export function App() {
  const { state, setState, signedIn } = useAuthState();
  const onSignedOut = useCallback(
    () => setState({ phase: 'signed-out', notice: t('signIn.signedOut') }),
    [setState],
  );

  if (state.phase === 'loading') return <LoadingPage />;
  if (state.phase === 'setup')
    return (
      <FirstRunPage onDone={(email) => setState({ phase: 'signed-out', email, notice: t('setup.done') })} />
    );
  if (state.phase === 'signed-out')
    return <SignInPage email={state.email} notice={state.notice} onSignedIn={signedIn} />;
  return (
    <>
      <SessionProvider key={state.me.id} me={state.me} onSignedOut={onSignedOut}>
        <LiveProvider paused={state.expired}>
          <SendSmsProvider>
            <SignedInRouter />
          </SendSmsProvider>
        </LiveProvider>
      </SessionProvider>
      <Modal
        opened={state.expired}
        onClose={() => {}}
        withCloseButton={false}
        closeOnClickOutside={false}
        closeOnEscape={false}
        title={t('signIn.expiredTitle')}
        centered
      >
        <Text size="sm" mb="sm">
          {t('signIn.expiredIntro')}
        </Text>
        <SignInForm onSignedIn={(me: Me) => signedIn(me)} />
      </Modal>
    </>
  );
}
