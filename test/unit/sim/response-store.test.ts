import type { Response } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import { queryObject } from '../../../src/sim/http/query.js';
import { inputItemId, listedItem } from '../../../src/sim/responses/listed-item.js';
import type { InputItem } from '../../../src/sim/responses/schema.js';
import { ResponseStore, type StoredResponse, storedWeight } from '../../../src/sim/responses/store.js';

function entry(previousId: string | null, input: InputItem[], output: InputItem[] = []): StoredResponse {
  return {
    previousId,
    input,
    inputIds: input.map(inputItemId),
    output,
    response: { id: 'r', object: 'response' } as Response,
    background: null,
    streamed: false,
  };
}

const user = (text: string): InputItem => ({ role: 'user', content: text });

describe('the response store', () => {
  it('is one bound for everything it keeps: a new response evicts the least recently used', () => {
    const store = new ResponseStore(1000);
    const output = [
      { type: 'message', id: 'msg_1', role: 'assistant', content: 'x'.repeat(300) },
    ] as InputItem[];
    const weight = storedWeight(200, output, 1);
    expect(weight).toBeGreaterThan(500); // the output counts, not only the request's bytes
    store.save('a', entry(null, [user('a')], output), weight);
    store.save('b', entry(null, [user('b')]), 300);
    expect(store.get('a')).toBeDefined(); // now the most recently used
    store.save('c', entry(null, [user('c')]), 300);
    expect(store.get('b')).toBeUndefined();
    expect(store.get('a')).toBeDefined();
    expect(store.get('c')).toBeDefined();
  });

  it('lists a chain oldest first with stable ids; a missing link ends the list, and the history throws', () => {
    const store = new ResponseStore();
    const out1 = [
      { type: 'function_call', id: 'fc_1', call_id: 'c1', name: 'shell', arguments: '{}' },
    ] as InputItem[];
    store.save('r1', entry(null, [user('task')], out1), 10);
    const second = entry('r1', [{ type: 'function_call_output', call_id: 'c1', output: 'ok' }]);
    store.save('r2', second, 10);
    const listed = store.inputItems(second);
    expect(listed.map((l) => l.item.type ?? 'message')).toEqual([
      'message',
      'function_call',
      'function_call_output',
    ]);
    expect(listed[1]?.id).toBe('fc_1');
    expect(store.inputItems(second).map((l) => l.id)).toEqual(listed.map((l) => l.id));
    store.delete('r1');
    expect(store.inputItems(second).map((l) => l.id)).toEqual([listed[2]?.id]);
    expect(() => store.history('r2')).toThrow(/Previous response with id 'r1' not found/);
    expect(store.delete('r1')).toBe(false);
  });
});

describe('listed input items', () => {
  it('keep an id the item came with, and get one of their type otherwise', () => {
    expect(inputItemId({ type: 'function_call', id: 'fc_own', call_id: 'c', name: 'n', arguments: '' })).toBe(
      'fc_own',
    );
    expect(inputItemId(user('hi'))).toMatch(/^msg_[0-9a-f]{24}$/);
    expect(inputItemId({ type: 'function_call_output', call_id: 'c', output: '' })).toMatch(/^fco_/);
    expect(inputItemId({ type: 'item_reference', id: 'msg_x' })).toBe('msg_x');
  });

  it('are listed with type, status and content parts, the rest as sent', () => {
    expect(listedItem('msg_1', user('hi'))).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'hi' }],
      status: 'completed',
    });
    expect(listedItem('msg_2', { role: 'assistant', content: 'ok' })).toMatchObject({
      content: [{ type: 'output_text', text: 'ok', annotations: [] }],
    });
    const output = {
      type: 'function_call_output',
      call_id: 'c',
      output: 'x',
      status: 'incomplete',
    } as InputItem;
    expect(listedItem('fco_1', output)).toEqual({ id: 'fco_1', ...output });
  });
});

describe('query strings', () => {
  it('read arrays as the SDK sends them, and repeated names', () => {
    expect(queryObject(new URLSearchParams('include[]=a&include[]=b&limit=2'))).toEqual({
      include: ['a', 'b'],
      limit: '2',
    });
    expect(queryObject(new URLSearchParams('include[]=a'))).toEqual({ include: ['a'] });
    expect(queryObject(new URLSearchParams('include=a&include=b'))).toEqual({ include: ['a', 'b'] });
  });
});
