// The reference point for fan-out: a `ws` server that forwards every frame it receives, as is,
// to every other connection. No parsing, no storage, no checks.
import { createServer } from 'node:http';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { announce } from './listen.js';

const server = createServer();
const wss = new WebSocketServer({ server });
wss.on('connection', (ws: WebSocket) => {
  ws.on('message', (data: RawData, isBinary: boolean) => {
    for (const other of wss.clients) if (other !== ws && other.readyState === other.OPEN) other.send(data, { binary: isBinary });
  });
});
server.listen(0, '127.0.0.1', () => announce(server, wss));
