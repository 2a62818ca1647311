import { createHash } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import { Kvm, type KV } from '@nats-io/kv';
import { Objm, setSha256Backend, type ObjectStore } from '@nats-io/obj';
import { Headers, type BucketName, type ObjectStoreName } from '@paperline/contracts';
import type { Logger } from '@paperline/telemetry';
import { connectBus, type ConnectOptions } from './connect.js';
import { BusError, BusErrorCodes } from './errors.js';

// Object-store digests with node's crypto instead of nats.js's browser-safe JS SHA-256, which
// hashed ~30 MB/s and was 12% of the text-layer path's CPU (every document is hashed on put and get).
setSha256Backend('native');

/**
 * Objects are stored in chunks of this size, not nats.js's 128 KiB. nats.js publishes a chunk and
 * waits for its PubAck before the next, and reads here take a direct get a chunk: at 128 KiB a
 * 1.8 MB PDF was 15 round trips each way, 37 ms to submit on an idle pipeline. nats.js caps a
 * chunk at the server's max_payload (1 MiB by default).
 */
export const OBJECT_CHUNK_BYTES = 512 * 1024;
const CHUNKED = { max_chunk_size: OBJECT_CHUNK_BYTES };

export interface PublishOptions {
  /** Nats-Msg-Id: the server drops a repeat inside the stream's duplicate window. */
  msgId?: string;
  headers?: Record<string, string>;
  /**
   * Attempts while the publish times out or finds no stream (a stream leader being elected):
   * safe only with a msgId, which makes a repeat of a publish that did land a duplicate. @default 1
   */
  attempts?: number;
}

/** Which copy of a KV bucket answers a read: any replica (a direct get), or the stream's leader. */
export type KvReads = 'any-replica' | 'leader';

/** One NATS connection with its JetStream, KV and object-store handles, opened once and shared. */
export class Bus {
  readonly js: JetStreamClient;
  private readonly kvs = new Map<string, Promise<KV>>();
  private readonly stores = new Map<string, Promise<ObjectStore>>();
  private closing: Promise<void> | undefined;
  private disconnected = false;
  private readonly reconnectListeners = new Set<() => void>();

  private constructor(
    readonly nc: NatsConnection,
    readonly jsm: JetStreamManager,
    readonly log: Logger | undefined,
  ) {
    this.js = jetstream(nc);
    void this.watchConnection();
  }

  /**
   * Connected to a server now: false from a disconnect until the reconnect, and once closed.
   * Shutdown skips what needs the server while it is false (flushing, draining, waiting out pulls).
   */
  get connected(): boolean {
    return !this.disconnected && !this.nc.isClosed();
  }

  /** Calls `listener` after every reconnect (subscriptions are back by then); returns its remover. */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** The connection's one status watcher: connected state, reconnect listeners, and a log line per change. */
  private async watchConnection(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'ping') continue;
      const level = status.type === 'disconnect' || status.type === 'error' ? 'warn' : 'debug';
      this.log?.[level]({ natsStatus: status.type, detail: 'data' in status ? String(status.data) : undefined }, 'nats status');
      if (status.type === 'disconnect') this.disconnected = true;
      else if (status.type === 'reconnect') {
        this.disconnected = false;
        for (const listener of this.reconnectListeners) {
          try {
            listener();
          } catch (error) {
            this.log?.error({ err: error }, 'reconnect listener failed');
          }
        }
      }
    }
  }

  static async connect(options: ConnectOptions): Promise<Bus> {
    const nc = await connectBus(options);
    return Bus.from(nc, options.log);
  }

  static async from(nc: NatsConnection, log?: Logger): Promise<Bus> {
    return new Bus(nc, await jetstreamManager(nc), log);
  }

  /**
   * The bucket's handle. Reads are direct gets (provisioning creates every bucket with
   * allow_direct): they name the key in the subject, so per-key permissions apply
   * (docs/security.md), and any replica answers, so on a replicated bucket a read can miss a
   * recent write, or (nats-server before 2.9.17, nats-io/nats-server#4162) answer from a restarted
   * server's old copy. With `reads: 'leader'` the bucket is read from its stream leader instead
   * (STREAM.MSG.GET, the key in the body), for readers that act on what a read did not find.
   */
  kv(name: BucketName, options: { reads?: KvReads } = {}): Promise<KV> {
    const reads = options.reads ?? 'any-replica';
    const handle = `${name}:${reads}`;
    let kv = this.kvs.get(handle);
    if (!kv) {
      kv = new Kvm(this.nc).open(name, { allow_direct: reads === 'any-replica' });
      this.kvs.set(handle, kv);
      kv.catch(() => this.kvs.delete(handle));
    }
    return kv;
  }

  objects(name: ObjectStoreName): Promise<ObjectStore> {
    let store = this.stores.get(name);
    if (!store) {
      store = new Objm(this.nc).open(name);
      this.stores.set(name, store);
      store.catch(() => this.stores.delete(name));
    }
    return store;
  }

  async publish(subject: string, data: Uint8Array, options: PublishOptions = {}): Promise<PubAck> {
    const h = natsHeaders();
    for (const [key, value] of Object.entries(options.headers ?? {})) h.set(key, value);
    if (options.msgId) h.set(Headers.msgId, options.msgId);
    return this.js.publish(subject, data, { headers: h, msgID: options.msgId, retries: options.attempts });
  }

  async putObject(store: ObjectStoreName, name: string, data: Uint8Array): Promise<void> {
    const os = await this.objects(store);
    await os.putBlob({ name, options: CHUNKED }, data);
  }

  /** Stores an object from a stream, one chunk at a time (each published and acked before the next is read); returns its size. */
  async putObjectStream(store: ObjectStoreName, name: string, data: ReadableStream<Uint8Array>): Promise<number> {
    const os = await this.objects(store);
    const info = await os.put({ name, options: CHUNKED }, data);
    return info.size;
  }

  /**
   * Reads a whole object; refuses objects larger than maxBytes before reading them. The chunks come
   * by direct gets, each from the sequence after the last, instead of through the ordered consumer
   * of nats.js's get: nats-server 2.9 keeps every consumer in files of its own (a directory made
   * and removed for each read), and those reads were the largest part of the server's CPU on the
   * text-layer path. The size and the SHA-256 digest are checked, as nats.js checks them.
   */
  async getObject(store: ObjectStoreName, name: string, options: { maxBytes?: number } = {}): Promise<Uint8Array> {
    const os = await this.objects(store);
    const info = await os.info(name);
    if (!info || info.deleted) throw new BusError(BusErrorCodes.OBJECT_NOT_FOUND, `no object ${name} in ${store}`);
    if (options.maxBytes !== undefined && info.size > options.maxBytes) {
      throw new BusError(BusErrorCodes.OBJECT_TOO_LARGE, `object ${name} in ${store} is ${info.size} bytes, over the limit of ${options.maxBytes}`);
    }
    const stream = `OBJ_${store}`;
    const chunks = `$O.${store}.C.${info.nuid}`;
    const data = new Uint8Array(info.size);
    const hash = createHash('sha256');
    let filled = 0;
    let seq = 0;
    for (let chunk = 0; chunk < info.chunks; chunk++) {
      const message = await this.jsm.direct.getMessage(stream, { next_by_subj: chunks, seq: seq + 1 });
      if (!message) throw new BusError(BusErrorCodes.OBJECT_NOT_FOUND, `object ${name} in ${store} lost chunk ${chunk + 1} of ${info.chunks}`);
      if (filled + message.data.length > info.size) break;
      data.set(message.data, filled);
      hash.update(message.data);
      filled += message.data.length;
      seq = message.seq;
    }
    // SHA-256= and base64url, as nats.js's put writes it (every object here is put by nats.js)
    const digest = Buffer.from(info.digest.replace(/^SHA-256=/, ''), 'base64');
    if (filled !== info.size || !hash.digest().equals(digest)) {
      throw new BusError(BusErrorCodes.OBJECT_CORRUPT, `object ${name} in ${store}: its chunks do not match its size (${info.size} bytes) and digest`);
    }
    return data;
  }

  async objectSize(store: ObjectStoreName, name: string): Promise<number | undefined> {
    const info = await (await this.objects(store)).info(name);
    return info && !info.deleted ? info.size : undefined;
  }

  async deleteObject(store: ObjectStoreName, name: string): Promise<void> {
    await (await this.objects(store)).delete(name).catch(() => undefined);
  }

  /** Drains the connection: in-flight publishes and acks are flushed first (closes at once when no server is there to flush to). */
  close(): Promise<void> {
    this.closing ??= this.nc.isClosed() ? Promise.resolve() : this.connected ? this.nc.drain().catch(() => this.nc.close()) : this.nc.close();
    return this.closing;
  }
}
