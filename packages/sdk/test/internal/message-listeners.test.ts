import { describe, expect, test } from 'vitest';
import { MessageListeners } from '../../src/bus/internal/message-listeners.ts';
import type { Message } from '../../src/schemas/message.ts';

const to = (agent: string) => ({ id: `m-${agent}`, to: agent }) as Message;

describe('MessageListeners', () => {
  test('knows which agents are listened for until the last listener of each is removed', () => {
    const listeners = new MessageListeners();
    expect([listeners.size, listeners.agents(), listeners.listensFor('a')]).toEqual([0, [], false]);
    const stopA1 = listeners.add(() => undefined, 'a');
    const stopA2 = listeners.add(() => undefined, 'a');
    const stopB = listeners.add(() => undefined, 'b');
    expect([listeners.size, listeners.agents()]).toEqual([3, ['a', 'b']]);
    stopA1();
    stopA1();
    expect([listeners.size, listeners.agents(), listeners.listensFor('a')]).toEqual([2, ['a', 'b'], true]);
    stopA2();
    stopB();
    expect([listeners.size, listeners.agents(), listeners.listensFor('a')]).toEqual([0, [], false]);
  });

  test('a listener for every message means every agent is listened for', () => {
    const listeners = new MessageListeners();
    listeners.add(() => undefined, 'a');
    const stopAll = listeners.add(() => undefined);
    expect([listeners.agents(), listeners.listensFor('z')]).toEqual([undefined, true]);
    stopAll();
    expect([listeners.agents(), listeners.listensFor('z')]).toEqual([['a'], false]);
  });

  test("calls an agent's listeners with its messages only, and the others with all; clear removes them all", () => {
    const listeners = new MessageListeners();
    const seen: string[] = [];
    const stopA = listeners.add((m) => seen.push(`a:${m.to}`), 'a');
    listeners.add((m) => seen.push(`all:${m.to}`));
    listeners.emit(to('a'));
    listeners.emit(to('b'));
    expect(seen).toEqual(['a:a', 'all:a', 'all:b']);
    listeners.clear();
    stopA();
    listeners.emit(to('a'));
    expect([seen.length, listeners.size]).toEqual([3, 0]);
  });
});
