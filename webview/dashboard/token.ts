// Where the dashboard's token comes from and where it is kept: given once in the URL fragment
// (`#token=…`, never sent to any server) and taken out of the address bar at once, or typed into
// the login form; kept in sessionStorage for this tab only. Never in a query string, a cookie or a log.

const KEY = 'vmOrchestrator.hubToken';

/** What is used of the tab's Location, History and sessionStorage. */
export interface TabAddress {
  readonly hash: string;
  readonly pathname: string;
  readonly search: string;
}
export interface TabHistory {
  readonly state: unknown;
  replaceState(state: unknown, unused: string, url: string): void;
}
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The token of a fragment such as `#token=abc` (other fragment parameters are kept apart). */
export function tokenFromFragment(hash: string): { token?: string; rest: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token')?.trim() || undefined;
  params.delete('token');
  const rest = params.toString();
  return { token, rest: rest ? `#${rest}` : '' };
}

/** The token given in the address (removed from it and from the tab's history entry), else the one kept. */
export function takeToken(location: TabAddress, history: TabHistory, storage: TokenStorage): string | undefined {
  const { token, rest } = tokenFromFragment(location.hash);
  if (token) {
    history.replaceState(history.state, '', `${location.pathname}${location.search}${rest}`);
    return token;
  }
  return storage.getItem(KEY) ?? undefined;
}

export function keepToken(storage: TokenStorage, token: string): void {
  storage.setItem(KEY, token);
}

export function forgetToken(storage: TokenStorage): void {
  storage.removeItem(KEY);
}
