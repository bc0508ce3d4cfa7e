#!/usr/bin/env node
// The `kith-relay` command: the compiled relay (dist/main.js, built by `pnpm build`) on plain Node.
import '../dist/main.js';
