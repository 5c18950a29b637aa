import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { DEV_SIGN_IN_OFF, devSignIn, devSignInAvailable, type Session } from './session';

/**
 * A few citizens of the deterministic seed (`npm start` seeds cit_000001 upwards), of different
 * ages; cit_000019 is a parent of two school-age children (README, "Applying once").
 */
const EXAMPLES = ['cit_000001', 'cit_000003', 'cit_000008', 'cit_000019', 'cit_000021', 'cit_000042'];
const CITIZEN_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Development sign-in: the portal server signs a citizen token for the id given, as
 * `npm run --silent token -- citizen --sub ID` does. In production the server has no such
 * endpoint and the page says so; a real deployment signs in through its identity provider.
 */
export function SignIn({ notice, onSignedIn }: { notice?: string; onSignedIn: (session: Session) => void }) {
  const [citizenId, setCitizenId] = useState('cit_000001');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [off, setOff] = useState(false);
  const inputId = useId();
  const hintId = useId();
  const errorId = useId();
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    heading.current?.focus();
    let live = true;
    void devSignInAvailable().then((available) => live && setOff(!available));
    return () => {
      live = false;
    };
  }, []);

  async function signIn(id: string) {
    const wanted = id.trim();
    if (!CITIZEN_ID.test(wanted)) {
      setError('Enter a citizen id such as cit_000001 (letters, digits, _ and -).');
      return;
    }
    setBusy(true);
    setError(undefined);
    const result = await devSignIn(wanted);
    setBusy(false);
    if (result.ok) return onSignedIn(result.session);
    setOff(result.off);
    setError(result.message);
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void signIn(citizenId);
  };

  return (
    <>
      <a className="skip-link" href="#main">Skip to sign-in</a>
      <header className="topbar">
        <p className="brand">Citizen Graph <span>Citizen portal</span></p>
      </header>
      <main id="main" className="sign-in">
        <h1 ref={heading} tabIndex={-1}>Sign in</h1>
        <p className="lead">See your records with every department of the state on one page, and who has read them.</p>
        {notice && (
          <p className="notice notice-warning" role="status">
            {notice}
          </p>
        )}
        {off ? (
          <p className="notice notice-error" role="alert">
            {DEV_SIGN_IN_OFF}
          </p>
        ) : (
          <form className="card" onSubmit={submit} noValidate aria-busy={busy}>
            <h2>Development sign-in</h2>
            <p>
              Sign in as any citizen of the synthetic population, with a development token. In production you sign in through
              the identity provider instead.
            </p>
            <label htmlFor={inputId}>Citizen id</label>
            <input
              id={inputId}
              name="citizenId"
              value={citizenId}
              onChange={(event) => setCitizenId(event.target.value)}
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
              required
              aria-describedby={`${hintId}${error ? ` ${errorId}` : ''}`}
              aria-invalid={error ? true : undefined}
            />
            <p id={hintId} className="hint">
              For example cit_000001. The seed creates cit_000001 upwards (1,000 citizens by default).
            </p>
            {error && (
              <p id={errorId} className="field-error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="primary" disabled={busy}>
              {busy ? 'Signing in…' : 'Sign in'}
            </button>
            <h3 id="examples-heading">Or pick a citizen</h3>
            <ul className="examples" aria-labelledby="examples-heading">
              {EXAMPLES.map((id) => (
                <li key={id}>
                  <button type="button" disabled={busy} onClick={() => void signIn(id)}>
                    Sign in as {id}
                  </button>
                </li>
              ))}
            </ul>
          </form>
        )}
      </main>
    </>
  );
}
