import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forgetToken, keepToken, takeToken, tokenFromFragment, type TabAddress, type TabHistory, type TokenStorage } from '../../../webview/dashboard/token';

/** The parts of a tab's location, history and sessionStorage that token.ts uses. */
function tab(href: string) {
  const url = new URL(href);
  const stored = new Map<string, string>();
  const location: TabAddress = {
    get hash() {
      return url.hash;
    },
    get pathname() {
      return url.pathname;
    },
    get search() {
      return url.search;
    },
  };
  const history: TabHistory = {
    state: null,
    replaceState: (_state, _unused, to) => {
      url.hash = new URL(to, url).hash;
    },
  };
  const storage: TokenStorage = {
    getItem: (k) => stored.get(k) ?? null,
    setItem: (k, v) => void stored.set(k, v),
    removeItem: (k) => void stored.delete(k),
  };
  return { url, location, history, storage, stored };
}

test('the token is read from the fragment, other fragment parameters kept', () => {
  assert.deepEqual(tokenFromFragment('#token=abc'), { token: 'abc', rest: '' });
  assert.deepEqual(tokenFromFragment('#job=1&token=a%2Bb'), { token: 'a+b', rest: '#job=1' });
  assert.deepEqual(tokenFromFragment(''), { token: undefined, rest: '' });
  assert.deepEqual(tokenFromFragment('#token='), { token: undefined, rest: '' });
});

test('a token in the address is taken out of it; without one the kept token is used, until forgotten', () => {
  const t = tab('http://127.0.0.1:7420/?x=1#token=secret-token');
  assert.equal(takeToken(t.location, t.history, t.storage), 'secret-token');
  assert.equal(t.url.href, 'http://127.0.0.1:7420/?x=1');
  assert.equal(t.stored.size, 0, 'kept only once the hub accepted it');
  assert.equal(takeToken(t.location, t.history, t.storage), undefined);
  keepToken(t.storage, 'secret-token');
  assert.equal(takeToken(t.location, t.history, t.storage), 'secret-token');
  forgetToken(t.storage);
  assert.equal(takeToken(t.location, t.history, t.storage), undefined);
});
