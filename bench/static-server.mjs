// A baseline for query latency: a bare node:http server that answers every request with the
// bytes of one file (a page a knowledge node sent), so the knowledge bench can time the same
// bytes over the same loopback without any Fleet code on either side.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const body = readFileSync(process.argv[2]);
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  console.log(`static server listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
