export { NatsServerError, NatsServerErrorCodes, INSTALL_HINT, type NatsServerErrorCode } from './errors.js';
export {
  locateNatsServer,
  provisionDebianBinary,
  type DebianBinaryOptions,
  serverVersion,
  isSupportedVersion,
  MIN_SERVER_VERSION,
  RELEASE_VERSION,
  DEFAULT_CACHE_DIR,
  type LocatedServer,
  type LocateOptions,
} from './locate.js';
export { startLocalServer, freePort, type LocalServer, type LocalServerOptions } from './server.js';
export { startLocalCluster, type LocalCluster, type LocalClusterOptions } from './cluster.js';
