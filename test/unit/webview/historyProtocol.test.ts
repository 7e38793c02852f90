import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHistoryToHostMessage, isHistoryToWebviewMessage } from '../../../src/shared/historyProtocol';

const id = '6f1c2a4e-1111-4222-8333-944455556666';

test('the history panel accepts only well-formed webview messages', () => {
  for (const ok of [
    { type: 'ready' },
    { type: 'history/list', requestId: 1, query: {} },
    { type: 'history/list', requestId: 2, query: { status: 'failed', alias: 'web', text: 'deploy', limit: 50, cursor: '1700000000000.0b4d3d2c-8f6a-4c38-9a57-3f0f0e1d2c3b' } },
    { type: 'history/open', jobId: id },
    { type: 'history/rerun', jobId: id },
    { type: 'history/copy-command', jobId: id },
    { type: 'history/delete', jobId: id },
  ]) {
    assert.equal(isHistoryToHostMessage(ok), true, JSON.stringify(ok));
  }
  for (const bad of [
    null,
    'ready',
    { type: 'history/list', query: {} },
    { type: 'history/list', requestId: 1.5, query: {} },
    { type: 'history/list', requestId: 1, query: { status: 'exploded' } },
    { type: 'history/list', requestId: 1, query: { limit: 100_000 } },
    { type: 'history/open', jobId: '' },
    { type: 'history/delete', jobId: 'x'.repeat(500) },
    { type: 'history/drop-table' },
  ]) {
    assert.equal(isHistoryToHostMessage(bad), false, JSON.stringify(bad));
  }
});

test('the history webview accepts only the shapes the host sends', () => {
  assert.equal(isHistoryToWebviewMessage({ type: 'history/page', requestId: 1, jobs: [] }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/error', requestId: 1, message: 'no hub' }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/job', job: { id } }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/deleted', jobId: id }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/connection', connected: false, message: 'why' }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/page', requestId: 1, jobs: 'all' }), false);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/job', job: null }), false);
  assert.equal(isHistoryToWebviewMessage({ type: 'console/append' }), false);
});
