import { createRoot } from 'react-dom/client';
import { relayUrl } from './config.js';
import { Boot } from './ui/boot.js';
import { registerServiceWorker } from './register-service-worker.js';

const root = document.getElementById('app');
if (root === null) throw new Error('no #app element');
createRoot(root).render(<Boot relay={relayUrl()} />);
registerServiceWorker();
