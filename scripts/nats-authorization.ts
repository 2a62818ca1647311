// Writes deploy/nats/authorization.conf from libs/bus's permission set (`npm run nats:authorization`).
import { writeFileSync } from 'node:fs';
import { authorizationConf } from '../libs/bus/src/permissions.js';

const target = new URL('../deploy/nats/authorization.conf', import.meta.url);
writeFileSync(target, authorizationConf());
process.stdout.write(`wrote ${target.pathname}\n`);
