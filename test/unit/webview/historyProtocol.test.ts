import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isHistoryToHostMessage, isHistoryToWebviewMessage, type HistoryToHostMessage } from '../../../src/shared/historyProtocol';
import { hostSource } from '../../../webview/history/hostSource';

const id = '6f1c2a4e-1111-4222-8333-944455556666';

test('the history panel accepts only well-formed webview messages', () => {
  for (const ok of [
    { type: 'ready' },
    { type: 'history/list', requestId: 1, query: {} },
    { type: 'history/list', requestId: 2, query: { status: 'failed', alias: 'web', text: 'deploy', limit: 50, cursor: '1700000000000.0b4d3d2c-8f6a-4c38-9a57-3f0f0e1d2c3b' } },
    { type: 'history/open', jobId: id },
    { type: 'history/rerun', jobId: id },
    { type: 'history/copy-command', jobId: id },
    { type: 'history/delete', requestId: 3, jobId: id },
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
    { type: 'history/delete', requestId: 3, jobId: 'x'.repeat(500) },
    { type: 'history/delete', jobId: id },
    { type: 'history/drop-table' },
  ]) {
    assert.equal(isHistoryToHostMessage(bad), false, JSON.stringify(bad));
  }
});

test('the history webview accepts only the shapes the host sends', () => {
  assert.equal(isHistoryToWebviewMessage({ type: 'history/page', requestId: 1, jobs: [] }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/error', requestId: 1, message: 'no hub' }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/job', job: { id } }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/deleted', requestId: 3, jobId: id, deleted: false }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/deleted', jobId: id }), false);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/connection', connected: false, message: 'why' }), true);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/page', requestId: 1, jobs: 'all' }), false);
  assert.equal(isHistoryToWebviewMessage({ type: 'history/job', job: null }), false);
  assert.equal(isHistoryToWebviewMessage({ type: 'console/append' }), false);
});

test('a deletion is answered whatever the user or the hub says: deleted, kept, or refused', async () => {
  const posted: HistoryToHostMessage[] = [];
  let deliver!: (message: unknown) => void;
  const source = hostSource({ post: (m) => posted.push(m), onMessage: (listener) => ((deliver = listener), () => undefined), getState: () => undefined, setState: () => undefined });
  const answers = [source.delete!(id), source.delete!(id), source.delete!(id)];
  const ids = posted.map((m) => (m as { requestId: number }).requestId);
  assert.equal(new Set(ids).size, 3);
  // Answered out of order: each goes to its own request.
  deliver({ type: 'history/error', requestId: ids[2], message: 'Job is running: cancel it first' });
  deliver({ type: 'history/deleted', requestId: ids[0], jobId: id, deleted: true });
  deliver({ type: 'history/deleted', requestId: ids[1], jobId: id, deleted: false });
  assert.equal(await answers[0], true);
  assert.equal(await answers[1], false);
  await assert.rejects(answers[2], /cancel it first/);
});
