import { ApolloProvider } from '@apollo/client/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { createClient } from './apollo';
import { Portal } from './Portal';
import { clearSession, loadSession, type Session } from './session';
import { SignIn } from './SignIn';

/** The session this tab had when the page loaded (sessionStorage survives a reload). */
const stored = loadSession();
const expired = (session: Session) => session.expiresAt.getTime() <= Date.now();

/** Signed out: the sign-in page. Signed in: the portal, with an Apollo Client that carries the citizen's token. */
export function App() {
  const [session, setSession] = useState<Session | undefined>(() => (stored && !expired(stored) ? stored : undefined));
  const [notice, setNotice] = useState<string | undefined>(() =>
    stored && expired(stored) ? 'Your session has expired. Please sign in again.' : undefined,
  );

  const signOut = useCallback((reason?: string) => {
    clearSession();
    setSession(undefined);
    setNotice(reason);
  }, []);

  // The token's own expiry signs the citizen out, rather than the next request failing.
  useEffect(() => {
    if (!session) return;
    const left = session.expiresAt.getTime() - Date.now();
    if (left > 2 ** 31 - 1) return;
    const timer = setTimeout(() => signOut('Your session has expired. Please sign in again.'), Math.max(0, left));
    return () => clearTimeout(timer);
  }, [session, signOut]);

  const client = useMemo(() => (session ? createClient(session.token) : undefined), [session]);
  useEffect(() => () => client?.stop(), [client]);

  if (!session || !client) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(next) => {
          setNotice(undefined);
          setSession(next);
        }}
      />
    );
  }
  return (
    <ApolloProvider client={client}>
      <Portal session={session} onSignOut={signOut} />
    </ApolloProvider>
  );
}
