import { Gauge } from 'prom-client';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type Harness, modes, startToy } from './_toy.ts';

describe.each(modes)('/metrics (%s)', (mode) => {
  let toy: Harness;
  beforeAll(async () => {
    toy = await startToy(mode, {
      metrics: (registry) => {
        new Gauge({
          name: 'toy_queue_depth',
          help: 'A service gauge',
          registers: [registry],
          collect() {
            this.set(42);
          },
        });
      },
    });
  });
  afterAll(() => toy.close());

  async function scrape() {
    const response = await toy.request('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return response.text();
  }

  test('counts requests by method, contract path and status, and times them', async () => {
    for (const id of ['ab', 'cd', 'ef']) await toy.request(`/items/${id}`);
    await toy.request('/items/x');
    await toy.request('/does/not/exist');
    const text = await scrape();
    expect(text).toContain('fleet_http_requests_total{method="GET",route="/items/:id",status="200"} 3');
    expect(text).toContain('fleet_http_requests_total{method="GET",route="/items/:id",status="400"} 1');
    expect(text).toContain('fleet_http_requests_total{method="*",route="unmatched",status="404"} 1');
    expect(text).toContain('fleet_http_request_duration_seconds_count{method="GET",route="/items/:id"} 4');
    expect(text).toContain('fleet_http_request_duration_seconds_bucket{method="GET",route="/items/:id",le="+Inf"} 4');
    expect(text).toMatch(
      /fleet_http_request_duration_seconds_bucket\{method="GET",route="\/items\/:id",le="0.0005"\} \d/,
    );
    expect(text).not.toMatch(/route="\/items\/ab"/);

    // Counts keep accumulating across scrapes.
    for (const id of ['gh', 'ij']) await toy.request(`/items/${id}`);
    const later = await scrape();
    expect(later).toContain('fleet_http_requests_total{method="GET",route="/items/:id",status="200"} 5');
    expect(later).toContain('fleet_http_request_duration_seconds_count{method="GET",route="/items/:id"} 6');
  });

  test('serves the gauges the service registered', async () => {
    expect(await scrape()).toContain('toy_queue_depth 42');
  });

  test('each server has its own registry', async () => {
    const other = await startToy('in-process');
    try {
      const text = await (await other.request('/metrics')).text();
      expect(text).not.toContain('toy_queue_depth');
      expect(text).not.toContain('route="/items/:id"');
    } finally {
      await other.close();
    }
  });
});
