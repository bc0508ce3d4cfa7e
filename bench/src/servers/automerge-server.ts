// An automerge-repo sync server: a Repo whose only network adapter is the websocket server
// adapter, sharing every document, with no storage (like the y-websocket server here).
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { Repo } from '@automerge/automerge-repo';
import { NodeWSServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { announce } from './listen.js';
import { surviveAutomergeReset } from './survive-automerge-reset.js';

surviveAutomergeReset();
const server = createServer();
const wss = new WebSocketServer({ server });
// The adapter's typings name ws's CommonJS export, ours its ESM one: the same class at run time.
new Repo({ network: [new NodeWSServerAdapter(wss as unknown as ConstructorParameters<typeof NodeWSServerAdapter>[0])], sharePolicy: () => Promise.resolve(true) });
server.listen(0, '127.0.0.1', () => announce(server, wss));
