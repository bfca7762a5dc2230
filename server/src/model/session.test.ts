import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { tinyPackageDir } from '../testing/fixtures';
import { createSession, providerOrder } from './session';

const graph = path.join(tinyPackageDir, 'model.onnx');

test('auto tries webgpu, then cuda, then cpu, and reports why each earlier one failed', async () => {
  assert.deepEqual(providerOrder('auto'), ['webgpu', 'cuda', 'cpu']);
  const { session, provider, failed } = await createSession(graph, { executionProvider: 'auto' });
  try {
    const order = providerOrder('auto');
    // every provider before the one that ran failed, with a one-line reason
    assert.deepEqual(failed.map((f) => f.provider), order.slice(0, order.indexOf(provider)));
    for (const f of failed) assert.ok(f.error.length > 0 && !f.error.includes('\n'));
    if (!process.env.ERLENS_EXPECT_GPU) {
      // this test machine has no GPU: the fallback must end on cpu
      assert.equal(provider, 'cpu');
      assert.deepEqual(failed.map((f) => f.provider), ['webgpu', 'cuda']);
    }
    assert.ok(session.inputNames.includes('input_ids'));
  } finally {
    await session.release();
  }
});

test('an explicit GPU provider that is absent falls back to cpu instead of failing', async () => {
  for (const setting of ['cuda', 'webgpu'] as const) {
    const probeCalls: string[] = [];
    const { session, provider, failed } = await createSession(graph, { executionProvider: setting, intraOpNumThreads: 1, probe: async () => void probeCalls.push(setting) });
    try {
      if (provider === 'cpu') {
        assert.deepEqual(failed.map((f) => f.provider), [setting]);
        assert.deepEqual(probeCalls, [], 'the probe only runs on GPU sessions');
      } else assert.equal(provider, setting);
    } finally {
      await session.release();
    }
  }
});

test('webgpu that cannot start or whose probe run fails ends on cpu', async () => {
  const { session, provider, failed } = await createSession(graph, {
    executionProvider: 'webgpu',
    probe: async () => {
      throw new Error('first run failed\nsecond line');
    },
  });
  await session.release();
  assert.equal(provider, 'cpu');
  assert.equal(failed[0].provider, 'webgpu');
});

test('cpu failure (not a graph) is thrown, not swallowed', async () => {
  await assert.rejects(createSession(path.join(tinyPackageDir, 'model.json'), { executionProvider: 'cpu' }));
});
