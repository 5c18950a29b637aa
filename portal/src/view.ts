import { useEffect, useState } from 'react';

/**
 * Which page of the portal shows, from the address's hash, so that a reload (or a shared link)
 * lands on the same page: `#apply` the applications page, `#apply/<applicationId>` following one
 * application there; anything else (`#health`, `#timeline`...) the records page.
 */
export type View = { page: 'records' } | { page: 'apply'; applicationId?: string };

export function viewOf(hash: string): View {
  const match = /^#apply(?:\/([A-Za-z0-9_-]{1,80}))?$/.exec(hash);
  if (!match) return hash.startsWith('#apply') ? { page: 'apply' } : { page: 'records' };
  return match[1] ? { page: 'apply', applicationId: match[1] } : { page: 'apply' };
}

/** The current view, following the hash. */
export function useView(): View {
  const [view, setView] = useState(() => viewOf(window.location.hash));
  useEffect(() => {
    const update = () => setView(viewOf(window.location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return view;
}

/** Opens `#apply/<id>` (or `#apply`). */
export function follow(applicationId?: string): void {
  window.location.hash = applicationId ? `apply/${applicationId}` : 'apply';
}
