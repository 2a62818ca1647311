export const NatsServerErrorCodes = {
  NOT_FOUND: 'NATS_SERVER_NOT_FOUND',
  TOO_OLD: 'NATS_SERVER_TOO_OLD',
  START_FAILED: 'NATS_SERVER_START_FAILED',
} as const;
export type NatsServerErrorCode = (typeof NatsServerErrorCodes)[keyof typeof NatsServerErrorCodes];

export class NatsServerError extends Error {
  override readonly name = 'NatsServerError';
  constructor(
    readonly code: NatsServerErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const INSTALL_HINT = [
  'paperline needs nats-server 2.9 or newer.',
  '  Debian/Ubuntu: apt-get install nats-server   (or run `npm run nats-server:ensure` as root)',
  '  macOS:         brew install nats-server',
  '  Anywhere:      download a release from the nats-server project and put it on PATH,',
  '                 or point NATS_SERVER_BIN at the binary.',
].join('\n');
