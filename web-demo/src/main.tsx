import { createRoot } from 'react-dom/client';
import { relayUrl } from './config.js';
import { Boot } from './ui/boot.js';

const root = document.getElementById('app');
if (root === null) throw new Error('no #app element');
createRoot(root).render(<Boot relay={relayUrl()} />);

