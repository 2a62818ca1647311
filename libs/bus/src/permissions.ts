// The least-privilege NATS permissions of every paperline user, as data: deploy/nats/authorization.conf
// is written from this (`npm run nats:authorization`) and a test keeps the two equal. Each stage may
// publish and subscribe only to its own subjects, consumers, buckets, keys and objects.
//
// How nats.js reaches JetStream, and so what each permission is for:
// - a pull: publish $JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>; acks go to $JS.ACK.<stream>.<consumer>.>
// - a KV read: a direct get with the key in the subject, $JS.API.DIRECT.GET.KV_<b>.$KV.<b>.<key>
//   (so keys can be permissioned one by one); a KV write: publish $KV.<b>.<key>; a watch or key
//   listing: an ordered consumer, $JS.API.CONSUMER.CREATE.KV_<b>.<name>.<filter>, flow control on $JS.FC
// - an object read: stream info, a get of its meta ($JS.API.STREAM.MSG.GET.OBJ_<b>, the name in the
//   body: so object access is per store, not per object), direct gets of its chunks
//   ($JS.API.DIRECT.GET.OBJ_<b>, Bus.getObject); an object write: the same meta get (is there an old version?), publish $O.<b>.C.<nuid> and $O.<b>.M.<name>
// - replies (PubAcks, API answers, pulled messages' status) come to the user's own inbox prefix
import { Buckets, ObjectStores, PRIORITIES, STAGES, Streams, Subjects, consumerName, consumerStream, stagePriorities, type StageName } from '@paperline/contracts';

export interface UserPermissions {
  user: string;
  /** Environment variable of nats-server that holds the user's password. */
  passwordEnv: string;
  /** Its reply prefix (PL_NATS_INBOX_PREFIX of the processes that use it). */
  inboxPrefix: string;
  publish: string[];
  subscribe: string[];
  /** Why the user exists (a comment in the config). */
  purpose: string;
}

const JS_INFO = '$JS.API.INFO';
const api = (verb: string, rest: string) => `$JS.API.${verb}.${rest}`;
/**
 * The JetStream exporter of every process (libs/jetstream-metrics): stream and consumer listings
 * and the dead-letter stream's subjects. Configuration and counts only, never a message.
 */
const MONITORING = ['$JS.API.STREAM.LIST', api('CONSUMER.LIST', '*'), api('STREAM.INFO', 'PL_DLQ')];

function kvRead(bucket: string, keys: string): string[] {
  return [api('STREAM.INFO', `KV_${bucket}`), api('DIRECT.GET', `KV_${bucket}.$KV.${bucket}.${keys}`)];
}
function kvWrite(bucket: string, keys: string): string[] {
  return [`$KV.${bucket}.${keys}`];
}
/** Watching or listing keys: an ordered consumer filtered on those keys. */
function kvWatch(bucket: string, keys: string): string[] {
  return [api('CONSUMER.CREATE', `KV_${bucket}.*.$KV.${bucket}.${keys}`), api('CONSUMER.DELETE', `KV_${bucket}.>`), api('CONSUMER.INFO', `KV_${bucket}.>`), `$JS.FC.KV_${bucket}.>`];
}
function objectRead(store: string): string[] {
  const stream = `OBJ_${store}`;
  return [
    api('STREAM.INFO', stream),
    api('STREAM.MSG.GET', stream),
    api('DIRECT.GET', stream),
  ];
}
function objectWrite(store: string): string[] {
  return [api('STREAM.INFO', `OBJ_${store}`), api('STREAM.MSG.GET', `OBJ_${store}`), `$O.${store}.C.>`, `$O.${store}.M.>`];
}
/** Deleting an object marks its meta deleted and purges its chunks (the purge names them in its body). */
function objectDelete(store: string): string[] {
  return [`$O.${store}.M.>`, api('STREAM.PURGE', `OBJ_${store}`)];
}

/** What the stage runtime needs for one stage: its pulls, acks, consumers, advisories, control flags, dead letters. */
function runtimeOf(stage: StageName): { publish: string[]; subscribe: string[] } {
  const stream = consumerStream(stage);
  // its presence beat: `instance.<stage>.<instance>` in pl-instances, its own keys only
  const publish = [JS_INFO, ...MONITORING, ...kvRead(Buckets.instances, `instance.${stage}.*`), ...kvWrite(Buckets.instances, `instance.${stage}.*`), ...kvRead(Buckets.control, '>'), ...kvWatch(Buckets.control, '>'), Subjects.dlq(stage)];
  // every stage drops a cancelled document's work, and learns of the cancel from its event (stage-host's dropCancelledDocuments)
  const subscribe: string[] = [Subjects.docCancelled];
  for (const priority of stagePriorities(stage)) {
    const consumer = consumerName(stage, priority);
    publish.push(api('CONSUMER.INFO', `${stream}.${consumer}`), api('CONSUMER.MSG.NEXT', `${stream}.${consumer}`), `$JS.ACK.${stream}.${consumer}.>`);
    subscribe.push(Subjects.maxDeliveriesAdvisory(stream, consumer));
  }
  return { publish, subscribe };
}

/** A document's job record: every stage fails a document on a dead letter; render sets the page count. */
const JOB_RECORD = [...kvRead(Buckets.jobs, 'doc.*'), ...kvWrite(Buckets.jobs, 'doc.*'), Subjects.docFailed];
/**
 * A stage's: its reads of pl-jobs go to the stream leader (Bus.kv's `reads: 'leader'`), whose get
 * names the key in the body, so this covers the whole bucket. The per-page and per-region keys
 * hold blocks made from pl-pages, which every stage reads anyway.
 */
const STAGE_JOB_RECORD = [...JOB_RECORD, api('STREAM.MSG.GET', `KV_${Buckets.jobs}`)];
/**
 * The per-page and per-region keys: assemble's alone. A finished document's keys go in a purge of
 * the bucket's stream filtered on them; the filter is in the body, so this permission covers the
 * whole bucket, as the write of every `doc.*` record already does.
 */
const WORKING_KEYS = [
  ...kvRead(Buckets.jobs, 'page.>'),
  ...kvRead(Buckets.jobs, 'region.>'),
  ...kvWrite(Buckets.jobs, 'page.>'),
  ...kvWrite(Buckets.jobs, 'region.>'),
  api('STREAM.PURGE', `KV_${Buckets.jobs}`),
];

const STAGE_ACCESS: Partial<Record<StageName, string[]>> = {
  // a long document goes on in slices: render publishes its own continuations
  render: [...STAGE_JOB_RECORD, ...objectRead(ObjectStores.documents), ...objectWrite(ObjectStores.pages), 'pl.work.layout.*', ...PRIORITIES.map((priority) => Subjects.submitOf(priority))],
  layout: [
    ...STAGE_JOB_RECORD,
    ...objectRead(ObjectStores.pages),
    ...objectWrite(ObjectStores.pages),
    ...['assemble', 'ocr', 'table', 'formula', 'chart'].map((stage) => `pl.work.${stage}.*`),
  ],
  // a scanned page's table candidates go on to the table stage
  ocr: [...featureAccess(), 'pl.work.table.*'],
  // without a formula model a scan's formula is stored as a crop and read by ocr
  formula: [...featureAccess(), ...objectWrite(ObjectStores.pages), 'pl.work.ocr.*'],
  assemble: [
    ...STAGE_JOB_RECORD,
    ...WORKING_KEYS,
    ...objectRead(ObjectStores.pages),
    ...objectWrite(ObjectStores.outputs),
    Subjects.docCompleted,
    Subjects.docProgress,
  ],
};
/** The feature stages (ocr, table, formula, chart): read page rasters, hold models in the budget, report to assemble. */
function featureAccess(): string[] {
  return [...STAGE_JOB_RECORD, ...objectRead(ObjectStores.pages), ...kvRead(Buckets.memory, '>'), ...kvWrite(Buckets.memory, '>'), 'pl.events.model.>', 'pl.events.memory.>', 'pl.work.assemble.*'];
}

/** The prefix each user's processes set as PL_NATS_INBOX_PREFIX. */
export function inboxPrefixOf(user: string): string {
  return `_INBOX_${user}`;
}

function user(name: string, purpose: string, publish: string[], subscribe: string[]): UserPermissions {
  return {
    user: name,
    passwordEnv: `PL_NATS_${name.toUpperCase()}_PASSWORD`,
    inboxPrefix: inboxPrefixOf(name),
    publish: [...new Set(publish)],
    subscribe: [...new Set([`${inboxPrefixOf(name)}.>`, ...subscribe])],
    purpose,
  };
}

/** Every paperline user: admin, one per stage, and the gateway (the client's submit, status, result, cancel). */
export function paperlineUsers(): UserPermissions[] {
  const stages = STAGES.map((stage) => {
    const runtime = runtimeOf(stage);
    return user(stage, `the ${stage} stage`, [...runtime.publish, ...(STAGE_ACCESS[stage] ?? featureAccess())], runtime.subscribe);
  });
  const gateway = user(
    'gateway',
    'the HTTP gateway and the client commands (submit, status, result, cancel)',
    [
      JS_INFO,
      ...MONITORING,
      ...JOB_RECORD,
      ...kvWatch(Buckets.jobs, 'doc.*'),
      ...objectWrite(ObjectStores.documents),
      ...objectDelete(ObjectStores.documents),
      ...objectRead(ObjectStores.outputs),
      ...PRIORITIES.map((priority) => Subjects.submitOf(priority)),
      // cancel: find and delete the document's pending messages and its page objects
      ...[Streams.docs, Streams.work].flatMap((stream) => [api('STREAM.INFO', stream), api('STREAM.MSG.GET', stream), api('STREAM.MSG.DELETE', stream)]),
      ...objectWrite(ObjectStores.pages),
      ...objectDelete(ObjectStores.pages),
      Subjects.docCancelled,
    ],
    [],
  );
  const admin: UserPermissions = {
    user: 'admin',
    passwordEnv: 'PL_NATS_ADMIN_PASSWORD',
    inboxPrefix: '_INBOX',
    publish: ['>'],
    subscribe: ['>'],
    purpose: 'provisioning (`paperline provision`) and operators (pause, resume, features, status)',
  };
  return [admin, ...stages, gateway];
}

const quote = (subject: string) => JSON.stringify(subject);

/** deploy/nats/authorization.conf: the users above as nats-server configuration. */
export function authorizationConf(users: readonly UserPermissions[] = paperlineUsers()): string {
  const lines = [
    '# Written by `npm run nats:authorization` from libs/bus/src/permissions.ts: edit that, not this.',
    "# paperline's least-privilege users (docs/security.md). Passwords come from nats-server's",
    '# environment ($PL_NATS_<USER>_PASSWORD), never from this file; each user has its own reply',
    '# prefix (PL_NATS_INBOX_PREFIX=_INBOX_<user>), so none can read the replies sent to another.',
    'authorization {',
    '  users = [',
  ];
  for (const u of users) {
    lines.push(`    # ${u.user}: ${u.purpose}`);
    lines.push(`    { user: ${quote(u.user)}, password: $${u.passwordEnv}, permissions: {`);
    lines.push(`        publish: { allow: [`, ...u.publish.map((s) => `          ${quote(s)}`), '        ] }');
    lines.push(`        subscribe: { allow: [`, ...u.subscribe.map((s) => `          ${quote(s)}`), '        ] }');
    lines.push('    } }');
  }
  lines.push('  ]', '}', '');
  return lines.join('\n');
}
