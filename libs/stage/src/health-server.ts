import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger, Metrics } from '@paperline/telemetry';
import { DEFAULT_HEALTH_HOST } from './options.js';

/** What a runtime (or any component) shows on the health server. */
export interface HealthTarget {
  readonly name: string;
  /** Connected and bound to its consumers. */
  ready(): boolean;
  status(): Record<string, unknown>;
}

export interface HealthServerOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default DEFAULT_HEALTH_HOST ('0.0.0.0') */
  host?: string;
  registry: Metrics['registry'];
  log: Logger;
}

/**
 * `/healthz` (alive), `/readyz` (every registered target ready, 503 otherwise), `/metrics` (the
 * prom registry) and `/status` (JSON of every target). One per process: in the embedded mode
 * several runtimes register with the same server.
 */
export class HealthServer {
  private readonly targets = new Map<string, HealthTarget>();
  private server: Server | undefined;
  private boundPort = 0;

  constructor(private readonly options: HealthServerOptions) {}

  get port(): number {
    return this.boundPort;
  }

  /** Returns the unregister function. */
  register(target: HealthTarget): () => void {
    this.targets.set(target.name, target);
    return () => {
      if (this.targets.get(target.name) === target) this.targets.delete(target.name);
    };
  }

  async start(): Promise<number> {
    if (this.server) return this.boundPort;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.options.log.warn({ err: error, url: req.url }, 'health request failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, this.options.host ?? DEFAULT_HEALTH_HOST, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.boundPort = (server.address() as AddressInfo).port;
    this.options.log.info({ port: this.boundPort }, 'health server listening');
    return this.boundPort;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(res, 200, { ok: true });
    if (path === '/readyz') {
      const notReady = [...this.targets.values()].filter((t) => !t.ready()).map((t) => t.name);
      const ready = this.targets.size > 0 && notReady.length === 0;
      return send(res, ready ? 200 : 503, { ready, notReady });
    }
    if (path === '/status') {
      return send(res, 200, Object.fromEntries([...this.targets.values()].map((t) => [t.name, t.status()])));
    }
    if (path === '/metrics') {
      const body = await this.options.registry.metrics();
      res.writeHead(200, { 'content-type': this.options.registry.contentType });
      res.end(body);
      return;
    }
    send(res, 404, { error: 'not found' });
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
