// Browser stand-in for `node:worker_threads`: @kith/core's entry re-exports the Node sandbox
// host next to the Web Worker one, and the browser never calls it. Constructing it fails loudly.
export class Worker {
  constructor() {
    throw new Error('node:worker_threads is not available in the browser');
  }
}
