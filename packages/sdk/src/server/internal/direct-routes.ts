import type { IncomingMessage, ServerResponse } from 'node:http';
import type { H3 } from 'h3';
import type { DirectHandler } from './compile-route.ts';

/** A character outside printable ASCII (node:http refuses most of them), or `#`, which a URL cuts off. */
const UNUSUAL = /[^\x21-\x7e]|#/;

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The routes node:http serves without h3: JSON routes on paths without parameters, looked up by
 * method and exact path, skipping h3's URL parsing, routing and web `Response` (a tenth of a bus
 * request over a store that stores nothing; README, "Performance"). Everything else (other paths,
 * `HEAD`, paths h3 would normalize, such as `/%6Dessage`, event streams, unknown routes) goes to h3.
 */
export class DirectRoutes {
  readonly #byMethod = new Map<string, Map<string, DirectHandler>>();

  /** Serves `method path` with `handler`. */
  add(method: string, path: string, handler: DirectHandler): void {
    let paths = this.#byMethod.get(method);
    if (!paths) {
      paths = new Map();
      this.#byMethod.set(method, paths);
    }
    paths.set(path, handler);
  }

  /**
   * A node:http handler that serves the direct routes and hands every other request to `fallback`
   * (h3's handler of `app`), and every request at all while `app` has middleware or request and
   * response hooks (`FleetServer.app` is public), which only h3 runs.
   */
  nodeHandler(fallback: NodeHandler, app: H3): NodeHandler {
    const byMethod = this.#byMethod;
    const { config } = app;
    return (req, res) => {
      const paths =
        app['~middleware'].length === 0 && config.onRequest === undefined && config.onResponse === undefined
          ? byMethod.get(req.method ?? '')
          : undefined;
      if (paths !== undefined) {
        const url = req.url ?? '';
        const query = url.indexOf('?');
        const handler = paths.get(query === -1 ? url : url.slice(0, query));
        const search = query === -1 ? '' : url.slice(query);
        // h3 reads the query through a WHATWG URL, which drops a `#...` and percent-encodes bytes
        // outside printable ASCII before they are decoded again: such a query goes to h3.
        if (handler !== undefined && !UNUSUAL.test(search)) return handler(req, res, search);
      }
      return fallback(req, res);
    };
  }
}
