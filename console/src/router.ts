/**
 * Client-side routes under /console (the server answers every such path with the app's
 * page). A route is the path split into parts; links are ordinary anchors, and a click on
 * one under /console is turned into a history push.
 */
import { useEffect, useState } from 'preact/hooks';

export const BASE = '/console';

export type Route =
  | { page: 'data' }
  | { page: 'database'; source: string }
  | { page: 'table'; source: string; schema: string; name: string; tab: string | undefined }
  | { page: 'api' }
  | { page: 'metadata' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.slice(BASE.length).split('/').filter(Boolean).map(decodeURIComponent);
  const [first, source, schema, name, tab] = parts;
  if (first === 'api') return { page: 'api' };
  if (first === 'metadata') return { page: 'metadata' };
  if (first === 'data' && source && schema && name) return { page: 'table', source, schema, name, tab };
  if (first === 'data' && source) return { page: 'database', source };
  return { page: 'data' };
}

export function databasePath(source: string): string {
  return `${BASE}/data/${encodeURIComponent(source)}`;
}

export function tablePath(source: string, schema: string, name: string, tab?: string): string {
  return `${databasePath(source)}/${encodeURIComponent(schema)}/${encodeURIComponent(name)}${tab ? `/${tab}` : ''}`;
}

export function navigate(path: string): void {
  if (path === location.pathname) return;
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.pathname));
  useEffect(() => {
    const update = (): void => setRoute(parseRoute(location.pathname));
    const click = (e: MouseEvent): void => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.('a');
      const href = a?.getAttribute('href');
      if (!a || !href || a.target || a.hasAttribute('download') || !href.startsWith(BASE)) return;
      e.preventDefault();
      navigate(href);
    };
    addEventListener('popstate', update);
    document.addEventListener('click', click);
    return () => {
      removeEventListener('popstate', update);
      document.removeEventListener('click', click);
    };
  }, []);
  return route;
}
