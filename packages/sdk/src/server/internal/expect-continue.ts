import type { IncomingMessage, ServerResponse } from 'node:http';
import { tooLarge } from './body.ts';
import { writeError } from './direct-response.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * node:http's `checkContinue` listener (a request with `Expect: 100-continue`), which replaces its
 * automatic `100 Continue`: a declared `Content-Length` over `limitBytes` is answered 413
 * `payload_too_large` at once, without asking for the body; any other request goes to `handle` as
 * usual, and is sent `100 Continue` only when something starts reading its body. A request refused
 * before that (401, 403, 415, a bad query) is answered without ever inviting the body, and its
 * connection closes (see `ClosingServerResponse`).
 */
export function expectContinue(limitBytes: number, handle: NodeHandler): NodeHandler {
  return (req, res) => {
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limitBytes) {
      writeError(res, tooLarge(limitBytes));
      return;
    }
    // Reading the body (a `data` listener, a web stream over it, `resume()`) resumes the request.
    // node:http resumes it too, to discard it, once the answer is out: no 100 then.
    req.once('resume', () => {
      if (!res.headersSent && !res.writableEnded) res.writeContinue();
    });
    handle(req, res);
  };
}
