import { describe, expect, test } from 'vitest';
import { clientScript } from '../../src/render/client-script.ts';

// Its behaviour in a browser (connect, replace the overview, indicator) is tested in page.browser.test.ts.
describe('clientScript', () => {
  test('is valid JavaScript', () => {
    expect(() => new Function(clientScript())).not.toThrow();
  });

  test('connects to /api/events and handles overview, message and ping events', () => {
    const source = clientScript();
    expect(source).toContain('new EventSource("/api/events")');
    for (const name of ['overview', 'message', 'ping']) expect(source).toContain(`addEventListener('${name}'`);
  });

  test('cannot close the <script> element it is inlined in, whatever the events URL', () => {
    const source = clientScript({ eventsUrl: '/x</script><script>alert(1)//' });
    expect(source).not.toMatch(/<\/script/i);
    expect(source).toContain('new EventSource("/x\\u003c/script>\\u003cscript>alert(1)//")');
    expect(() => new Function(source)).not.toThrow();
  });
});
