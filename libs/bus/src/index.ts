export { BusError, BusErrorCodes, type BusErrorCode } from './errors.js';
export { connectBus, newInbox, type ConnectOptions } from './connect.js';
export { natsAuthFromSettings, natsConnectionAuth, redactSecrets, redactUrl, type NatsAuth, type NatsAuthSettings } from './auth.js';
export { Bus, OBJECT_CHUNK_BYTES, type KvReads, type PublishOptions } from './bus.js';
export { buildTopology, DEFAULT_MAX_BYTES, type LimitedResource, type Topology, type TopologyOptions, type BucketSpec, type ObjectStoreSpec } from './topology.js';
export { provisionTopology, type ProvisionOptions, type ProvisionReport, type Drift, type DriftPolicy } from './provision.js';
export { authorizationConf, inboxPrefixOf, paperlineUsers, type UserPermissions } from './permissions.js';
