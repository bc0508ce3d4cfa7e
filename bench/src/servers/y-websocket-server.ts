// @y/websocket-server as its own `server.js` runs it — plaintext, no persistence (YPERSISTENCE
// unset), every connection set up by `setupWSConnection` — but on a free port it reports.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { setupWSConnection } from '@y/websocket-server/utils';
import { announce } from './listen.js';

const wss = new WebSocketServer({ noServer: true });
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('okay');
});
wss.on('connection', setupWSConnection);
server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req)));
server.listen(0, '127.0.0.1', () => announce(server, wss));
