// Checks the deployment files against the code they deploy: every metric a dashboard panel or an
// alert queries exists (with the labels it groups by), and every stage has a Deployment with
// probes, a KEDA scaler on its own consumers, a compose service and a scrape job.
// No network and no Docker: the files are parsed and compared with the contracts and telemetry.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { describe, expect, it } from 'vitest';
import { STAGES, consumerName, consumerStream, stagePriorities, type StageName } from '@paperline/contracts';
import { baseSchema } from '@paperline/config';
import { clientSchema } from '@paperline/client';
import { gatewaySchema } from '@paperline/gateway';
import { memorySchema } from '@paperline/memory';
import { modelsSchema } from '@paperline/models';
import { renderSchema } from '@paperline/render';
import { layoutSchema } from '@paperline/layout';
import { formulaSchema } from '@paperline/formula';
import { ocrSchema } from '../../services/ocr/src/config.js';
import { DEFAULT_GRACE_MS, FORCED_EXIT_SLACK_MS } from '@paperline/stage';

/** A stage may take its grace plus the forced-exit slack to stop; the orchestrator must wait longer. */
const STAGE_STOP_SECONDS = (DEFAULT_GRACE_MS + FORCED_EXIT_SLACK_MS) / 1000;
import { getMetrics } from '@paperline/telemetry';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const deploy = join(root, 'deploy');
/** Stages whose models are not installed yet: deployed at 0 replicas with a paused scaler. */
const LATER_STAGES: readonly StageName[] = [];
/** Labels Prometheus adds to every scraped series. */
const TARGET_LABELS = ['job', 'instance'];
/** Series Prometheus makes itself rather than scraping them. */
const PROMETHEUS_SERIES: Record<string, string[]> = { up: [] };

type Yaml = Record<string, unknown>;

/** Every environment variable a paperline process reads: the `env` of every convict setting. */
function configEnvNames(): Set<string> {
  const names = new Set<string>();
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const env = (node as { env?: unknown }).env;
    if (typeof env === 'string') names.add(env);
    for (const child of Object.values(node)) visit(child);
  };
  for (const schema of [baseSchema, clientSchema, gatewaySchema, memorySchema, modelsSchema, renderSchema, layoutSchema, ocrSchema, formulaSchema]) visit(schema);
  return names;
}
/** Variables the image sets for node itself rather than for paperline's configuration. */
const RUNTIME_ENV = new Set(['NODE_ENV', 'MALLOC_ARENA_MAX', 'NODE_OPTIONS']);

/** A `services/<name>/dist/main.js` command runs what `services/<name>/src/main.ts` builds. */
function commandSource(command: string): string {
  return join(root, command.replace(/\/dist\//, '/src/').replace(/\.js$/, '.ts'));
}

function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

function loadYaml(path: string): Yaml[] {
  const docs = YAML.parseAllDocuments(readText(path), { merge: true });
  return docs.map((doc) => {
    expect(doc.errors.map(String), relative(root, path)).toEqual([]);
    return doc.toJSON() as Yaml;
  });
}

function filesUnder(dir: string, suffixes: string[]): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => suffixes.some((suffix) => name.endsWith(suffix)))
    .map((name) => join(dir, name))
    .sort();
}

function get(value: unknown, ...path: (string | number)[]): unknown {
  let node = value;
  for (const key of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Every metric series name paperline exports, with the labels each series may carry. */
async function exportedSeries(): Promise<Map<string, Set<string>>> {
  const { registry } = getMetrics();
  const series = new Map<string, Set<string>>();
  for (const metric of await registry.getMetricsAsJSON()) {
    const labelNames = (registry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [];
    const labels = new Set([...labelNames, ...TARGET_LABELS]);
    if (String(metric.type) === 'histogram') {
      series.set(`${metric.name}_bucket`, new Set([...labels, 'le']));
      series.set(`${metric.name}_sum`, labels);
      series.set(`${metric.name}_count`, labels);
    } else {
      series.set(metric.name, labels);
    }
  }
  for (const [name, labels] of Object.entries(PROMETHEUS_SERIES)) series.set(name, new Set([...labels, ...TARGET_LABELS]));
  return series;
}

const PROMQL_KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'inf', 'nan']);

/** The metric names and label names a PromQL expression uses (enough PromQL for our queries). */
function parsePromql(expr: string): { metrics: string[]; labels: string[] } {
  const labels: string[] = [];
  let text = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  text = text.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_match, list: string) => {
    labels.push(...list.split(',').map((label) => label.trim()).filter(Boolean));
    return ' ';
  });
  text = text.replace(/\{([^}]*)\}/g, (_match, body: string) => {
    for (const matcher of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(?:=~|!~|!=|=)/g)) labels.push(matcher[1]!);
    return ' ';
  });
  text = text
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/g, ' ')
    .replace(/\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi, ' ');
  const metrics: string[] = [];
  for (const token of text.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = token;
    if (call || PROMQL_KEYWORDS.has(name!.toLowerCase())) continue;
    metrics.push(name!);
  }
  return { metrics, labels };
}

interface Query {
  where: string;
  expr: string;
  /** Grafana legend or alert text whose `{{label}}` / `{{ $labels.label }}` must be a result label. */
  template: string;
}

function dashboardQueries(dashboard: Yaml): Query[] {
  const queries: Query[] = [];
  const visit = (panels: unknown): void => {
    for (const panel of (panels as Yaml[] | undefined) ?? []) {
      for (const target of (panel['targets'] as Yaml[] | undefined) ?? []) {
        queries.push({ where: `panel "${String(panel['title'])}"`, expr: String(target['expr']), template: String(target['legendFormat'] ?? '') });
      }
      visit(panel['panels']);
    }
  };
  visit(dashboard['panels']);
  return queries;
}

function alertQueries(rules: Yaml): Query[] {
  return ((rules['groups'] as Yaml[]) ?? []).flatMap((group) =>
    ((group['rules'] as Yaml[]) ?? []).map((rule) => ({
      where: `alert ${String(rule['alert'])}`,
      expr: String(rule['expr']),
      template: JSON.stringify(rule['annotations'] ?? {}),
    })),
  );
}

function templateLabels(template: string): string[] {
  return [...template.matchAll(/\{\{\s*(?:\$labels\.)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g)].map((match) => match[1]!).filter((label) => label !== 'value');
}

const dashboardPath = join(deploy, 'grafana/dashboards/paperline.json');
const alertsPath = join(deploy, 'prometheus/alerts.yml');
const dashboard = JSON.parse(readText(dashboardPath)) as Yaml;
const alerts = loadYaml(alertsPath)[0]!;

describe('YAML files', () => {
  it('every YAML file under deploy/ parses', () => {
    const files = filesUnder(deploy, ['.yml', '.yaml']);
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) expect(loadYaml(file).length, relative(root, file)).toBeGreaterThan(0);
  });
});

describe('metrics in the dashboard and the alerts', () => {
  const queries = [...dashboardQueries(dashboard), ...alertQueries(alerts)];

  it('the PromQL reader finds metrics and labels, and skips functions, keywords and numbers', () => {
    expect(parsePromql('histogram_quantile(0.95, sum by (le, stage) (rate(pl_inference_seconds_bucket{stage=~"$stage"}[5m]))) > 1e-9')).toEqual({
      metrics: ['pl_inference_seconds_bucket'],
      labels: ['le', 'stage', 'stage'],
    });
    expect(parsePromql('max by (device) (a_b) / clamp_min(sum(rate(c{outcome="x"}[$__range])), 1) and on (device) d').metrics).toEqual(['a_b', 'c', 'd']);
  });

  it('there are queries for every area the dashboard must cover', () => {
    const used = new Set(queries.flatMap((query) => parsePromql(query.expr).metrics));
    for (const name of [
      'pl_jetstream_consumer_pending',
      'pl_jetstream_consumer_ack_pending',
      'pl_jetstream_consumer_waiting',
      'pl_jetstream_consumer_redelivered',
      'pl_jetstream_stream_bytes',
      'pl_jetstream_dead_letters',
      'pl_device_present',
      'pl_host_memory_used_bytes',
      'pl_http_requests_total',
      'pl_http_request_seconds_bucket',
      'pl_stage_messages_total',
      'pl_stage_inflight',
      'pl_stage_paused',
      'pl_inference_seconds_bucket',
      'pl_model_loaded',
      'pl_model_events_total',
      'pl_budget_capacity_bytes',
      'pl_budget_reserved_bytes',
      'pl_gpu_memory_used_bytes',
      'pl_gpu_memory_total_bytes',
      'pl_gpu_process_memory_bytes',
      'pl_memory_pressure',
      'process_resident_memory_bytes',
      'pl_documents_total',
      'pl_document_seconds_bucket',
    ]) {
      expect(used, name).toContain(name);
    }
  });

  it('every metric queried exists in createMetrics() or is a prom-client default metric', async () => {
    const series = await exportedSeries();
    const unknown = queries.flatMap((query) => parsePromql(query.expr).metrics.filter((name) => !series.has(name)).map((name) => `${query.where}: ${name}`));
    expect(unknown).toEqual([]);
  });

  it('every label grouped by, matched on or shown in a legend belongs to a metric of the query', async () => {
    const series = await exportedSeries();
    const problems: string[] = [];
    for (const query of queries) {
      const { metrics, labels } = parsePromql(query.expr);
      const allowed = new Set(metrics.flatMap((name) => [...(series.get(name) ?? [])]));
      for (const label of [...labels, ...templateLabels(query.template)]) {
        if (!allowed.has(label)) problems.push(`${query.where}: label "${label}" is not on ${metrics.join(', ')}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('the dashboard is well formed: unique panel ids, a grid position, a datasource variable', () => {
    const panels = (dashboard['panels'] as Yaml[]) ?? [];
    const ids = panels.map((panel) => panel['id']);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of panels) expect(get(panel, 'gridPos', 'w'), String(panel['title'])).toBeTypeOf('number');
    const variables = (get(dashboard, 'templating', 'list') as Yaml[]).map((variable) => variable['name']);
    expect(variables).toEqual(expect.arrayContaining(['datasource', 'stage', 'device']));
    expect(dashboard['uid']).toBe('paperline');
  });

  it('docs/monitoring.md lists every panel with its query, and every alert', () => {
    const doc = readText(join(root, 'docs/monitoring.md'));
    const missing: string[] = [];
    const visit = (panels: unknown): void => {
      for (const panel of (panels as Yaml[] | undefined) ?? []) {
        if (panel['type'] !== 'row' && !doc.includes(`| ${String(panel['title'])} |`)) missing.push(`panel ${String(panel['title'])}`);
        for (const target of (panel['targets'] as Yaml[] | undefined) ?? []) {
          if (!doc.includes(String(target['expr']).replace(/\|/g, '\\|'))) missing.push(`query ${String(target['expr'])}`);
        }
        visit(panel['panels']);
      }
    };
    visit(dashboard['panels']);
    for (const query of alertQueries(alerts)) if (!doc.includes(`\`${query.where.replace('alert ', '')}\``)) missing.push(query.where);
    expect(missing).toEqual([]);
  });

  it('grafana provisioning points at the mounted dashboards and a Prometheus datasource', () => {
    const datasources = loadYaml(join(deploy, 'grafana/provisioning/datasources/prometheus.yml'))[0]!;
    expect(get(datasources, 'datasources', 0, 'type')).toBe('prometheus');
    const providers = loadYaml(join(deploy, 'grafana/provisioning/dashboards/paperline.yml'))[0]!;
    expect(get(providers, 'providers', 0, 'options', 'path')).toBe('/var/lib/grafana/dashboards');
  });
});

describe('Kubernetes', () => {
  const k8s = join(deploy, 'k8s');
  const kustomization = loadYaml(join(k8s, 'kustomization.yaml'))[0]!;
  const resources = (kustomization['resources'] as string[]) ?? [];
  const objects = resources.flatMap((file) => loadYaml(join(k8s, file)));
  const find = (kind: string, name: string) => objects.find((object) => object['kind'] === kind && get(object, 'metadata', 'name') === name);

  it('every entry point deploy/ starts is one `npm run build` makes (src/main.ts compiled from src to dist); a later stage not built yet is deployed at 0 replicas', () => {
    const compose = loadYaml(join(deploy, 'compose', 'docker-compose.yml'))[0] as { services: Record<string, { command?: string[] }> };
    const k8sArgs = filesUnder(join(deploy, 'k8s'), ['.yaml'])
      .flatMap((file) => loadYaml(file))
      .flatMap((doc) => (get(doc, 'spec', 'template', 'spec', 'containers') as Array<{ args?: string[] }> | undefined) ?? [])
      .flatMap((container) => container.args ?? []);
    const entryPoints = [...new Set([...k8sArgs, ...Object.values(compose.services).flatMap((s) => s.command ?? [])].filter((arg) => arg.endsWith('/dist/main.js')))];
    expect(entryPoints.length).toBeGreaterThanOrEqual(STAGES.length + 1);
    for (const entry of entryPoints) {
      const service = entry.replace(/\/dist\/main\.js$/, '');
      const name = service.replace(/^services\//, '') as StageName;
      if (LATER_STAGES.includes(name) && !existsSync(join(root, service))) continue;
      expect(existsSync(join(root, service, 'src', 'main.ts')), `${entry}: ${service}/src/main.ts`).toBe(true);
      const options = (JSON.parse(readText(join(root, service, 'tsconfig.lib.json'))) as { compilerOptions: { rootDir?: string; outDir?: string } }).compilerOptions;
      expect({ entry, rootDir: options.rootDir, outDir: options.outDir }).toEqual({ entry, rootDir: 'src', outDir: 'dist' });
    }
  });

  it('the kustomization lists every manifest in deploy/k8s, and only existing ones', () => {
    for (const file of resources) expect(existsSync(join(k8s, file)), file).toBe(true);
    const manifests = filesUnder(k8s, ['.yaml', '.yml']).map((file) => relative(k8s, file)).filter((file) => file !== 'kustomization.yaml');
    expect([...resources].sort()).toEqual(manifests);
  });

  it('nats runs as a 3-node JetStream cluster, R3 streams, at most one server disrupted, and its monitoring port, which the KEDA scaler reads', () => {
    const nats = find('StatefulSet', 'nats');
    const args = get(nats, 'spec', 'template', 'spec', 'containers', 0, 'args') as string[];
    expect(args).toContain('--jetstream');
    expect(args).toContain('--http_port=8222');
    expect(get(nats, 'spec', 'replicas')).toBe(3);
    const routes = args.find((arg) => arg.startsWith('--routes='))?.slice('--routes='.length).split(',') ?? [];
    expect(routes).toEqual([0, 1, 2].map((n) => `nats://nats-${n}.nats-headless:6222`));
    expect(get(find('ConfigMap', 'paperline-config'), 'data', baseSchema.nats.replicas.env)).toBe('3');
    expect(get(find('PodDisruptionBudget', 'nats'), 'spec', 'maxUnavailable')).toBe(1);
    const ports = (get(find('Service', 'nats'), 'spec', 'ports') as Yaml[]).map((port) => port['port']);
    expect(ports).toEqual(expect.arrayContaining([4222, 8222]));
  });

  const paperlineContainers = objects.flatMap((object) =>
    ((get(object, 'spec', 'template', 'spec', 'containers') as Yaml[] | undefined) ?? [])
      .filter((container) => String(container['image']).startsWith('paperline'))
      .map((container) => ({ where: `${String(object['kind'])} ${String(get(object, 'metadata', 'name'))}`, container })),
  );

  it('every environment variable set for a paperline container (inline or from the ConfigMap) is a configuration key', () => {
    const known = configEnvNames();
    const set = [
      ...paperlineContainers.flatMap(({ where, container }) => ((container['env'] as Yaml[] | undefined) ?? []).map((v) => ({ where, name: String(v['name']) }))),
      ...Object.keys((get(find('ConfigMap', 'paperline-config'), 'data') as Yaml) ?? {}).map((name) => ({ where: 'ConfigMap paperline-config', name })),
    ];
    expect(set.length).toBeGreaterThan(10);
    expect(set.filter(({ name }) => !known.has(name) && !RUNTIME_ENV.has(name)).map(({ where, name }) => `${where}: ${name}`)).toEqual([]);
  });

  it('every command a paperline container runs exists in the repository', () => {
    const missing = paperlineContainers
      .flatMap(({ where, container }) => ((container['args'] as string[] | undefined) ?? []).map((arg) => ({ where, arg })))
      .filter(({ arg }) => arg.endsWith('.js'))
      .filter(({ arg }) => !existsSync(commandSource(arg)) && !LATER_STAGES.some((stage) => arg === `services/${stage}/dist/main.js` && !existsSync(join(root, 'services', stage))));
    expect(missing).toEqual([]);
  });

  for (const stage of STAGES) {
    describe(stage, () => {
      it('has a Deployment running its main, with readiness on /readyz, liveness on /healthz, resources, the guard limit and enough grace', () => {
        const deployment = find('Deployment', `paperline-${stage}`);
        expect(deployment, `Deployment paperline-${stage}`).toBeDefined();
        const pod = get(deployment, 'spec', 'template', 'spec') as Yaml;
        const container = get(pod, 'containers', 0) as Yaml;
        expect(container['args']).toEqual([`services/${stage}/dist/main.js`]);
        expect(get(container, 'readinessProbe', 'httpGet', 'path')).toBe('/readyz');
        expect(get(container, 'livenessProbe', 'httpGet', 'path')).toBe('/healthz');
        expect(get(container, 'resources', 'requests', 'memory')).toBeTypeOf('string');
        expect(get(container, 'resources', 'limits', 'memory')).toBeTypeOf('string');
        expect(pod['terminationGracePeriodSeconds'] as number).toBeGreaterThan(STAGE_STOP_SECONDS);
        const env = (container['env'] as Yaml[]).map((variable) => variable['name']);
        expect(env).toEqual(expect.arrayContaining(['PL_NODE', 'PL_INSTANCE_ID']));
        const guardLimit = (container['env'] as Yaml[]).find((variable) => variable['name'] === memorySchema.memory.guard.limit.env);
        expect(get(guardLimit, 'valueFrom', 'resourceFieldRef', 'resource'), 'memory guard limit = container limit').toBe('limits.memory');
        if (LATER_STAGES.includes(stage)) expect(get(deployment, 'spec', 'replicas')).toBe(0);
      });

      it('has a PodDisruptionBudget that lets one pod go at a time', () => {
        const budget = find('PodDisruptionBudget', `paperline-${stage}`);
        expect(get(budget, 'spec', 'maxUnavailable')).toBe(1);
        expect(get(budget, 'spec', 'selector', 'matchLabels')).toEqual(get(find('Deployment', `paperline-${stage}`), 'spec', 'selector', 'matchLabels'));
      });

      it('has a KEDA ScaledObject on the lag of each of its consumers', () => {
        const scaled = find('ScaledObject', `paperline-${stage}`);
        expect(scaled, `ScaledObject paperline-${stage}`).toBeDefined();
        expect(get(scaled, 'spec', 'scaleTargetRef', 'name')).toBe(`paperline-${stage}`);
        const triggers = get(scaled, 'spec', 'triggers') as Yaml[];
        for (const trigger of triggers) {
          expect(trigger['type']).toBe('nats-jetstream');
          expect(get(trigger, 'metadata', 'stream')).toBe(consumerStream(stage));
          expect(Number(get(trigger, 'metadata', 'lagThreshold'))).toBeGreaterThan(0);
          expect(get(trigger, 'metadata', 'natsServerMonitoringEndpoint')).toMatch(/:8222$/);
        }
        const consumers = triggers.map((trigger) => get(trigger, 'metadata', 'consumer'));
        expect(consumers.sort()).toEqual(stagePriorities(stage).map((priority) => consumerName(stage, priority)).sort());
        if (LATER_STAGES.includes(stage)) expect(get(scaled, 'metadata', 'annotations', 'autoscaling.keda.sh/paused-replicas')).toBe('0');
      });
    });
  }
});

describe('compose and Prometheus', () => {
  const composeDir = join(deploy, 'compose');
  const compose = loadYaml(join(composeDir, 'docker-compose.yml'))[0]!;
  const services = compose['services'] as Record<string, Yaml>;
  const prometheus = loadYaml(join(deploy, 'prometheus/prometheus.yml'))[0]!;
  const jobs = (prometheus['scrape_configs'] as Yaml[]).map((job) => job['job_name']);

  it('runs nats 2.10 with JetStream on a volume', () => {
    expect(String(get(services, 'nats', 'image'))).toMatch(/^nats:2\.10/);
    expect(get(services, 'nats', 'command')).toContain('--jetstream');
    expect(String((get(services, 'nats', 'volumes') as string[])[0])).toMatch(/:\/data$/);
  });

  for (const stage of STAGES) {
    it(`runs ${stage} with a /healthz check and a grace above the stage's, and scrapes it`, () => {
      const service = services[stage];
      expect(service, stage).toBeDefined();
      expect(service!['command']).toEqual([`services/${stage}/dist/main.js`]);
      expect(JSON.stringify(get(service, 'healthcheck', 'test'))).toContain('/healthz');
      expect(Number.parseInt(String(service!['stop_grace_period']), 10)).toBeGreaterThan(STAGE_STOP_SECONDS);
      expect(get(service, 'environment', 'NATS_URL')).toBe('nats://nats:4222');
      if (LATER_STAGES.includes(stage)) expect(get(service, 'deploy', 'replicas')).toBe(0);
      expect(jobs).toContain(stage);
    });
  }

  const paperlineServices = Object.entries(services).filter(([, service]) => String(service['image']).includes('paperline'));

  it('builds every paperline service from the repository Dockerfile, with the dependencies installed before the sources are copied', () => {
    for (const [name, service] of paperlineServices) {
      expect(resolve(composeDir, String(get(service, 'build', 'context'))), name).toBe(root);
      expect(get(service, 'build', 'dockerfile'), name).toBe('Dockerfile');
    }
    const dockerfile = readText(join(root, 'Dockerfile'));
    const build = dockerfile.slice(dockerfile.indexOf('AS build'));
    expect(build.indexOf('npm ci')).toBeGreaterThan(0);
    expect(build.indexOf('npm ci'), 'npm ci comes before COPY . .').toBeLessThan(build.indexOf('COPY . .'));
  });

  it('has a GPU profile: ocr on the CUDA image with a GPU reserved, scraped as job ocr', () => {
    const gpu = services['ocr-gpu']!;
    expect(gpu['profiles']).toEqual(['gpu']);
    expect(get(gpu, 'build', 'args', 'ONNXRUNTIME_NODE_INSTALL')).toBe('cuda12');
    expect(get(gpu, 'deploy', 'resources', 'reservations', 'devices', 0, 'capabilities')).toEqual(['gpu']);
    expect(get(gpu, 'environment', modelsSchema.models.providers.env)).toMatch(/^cuda:0/);
    expect(get(gpu, 'networks', 'default', 'aliases')).toEqual(['ocr']);
  });

  it('every environment variable set for a paperline service is a configuration key, and every command exists', () => {
    const known = configEnvNames();
    const unknown = paperlineServices.flatMap(([name, service]) => Object.keys((service['environment'] as Yaml) ?? {}).filter((env) => !known.has(env) && !RUNTIME_ENV.has(env)).map((env) => `${name}: ${env}`));
    expect(unknown).toEqual([]);
    const missing = paperlineServices
      .flatMap(([name, service]) => ((service['command'] as string[] | undefined) ?? []).map((command) => ({ name, command })))
      .filter(({ command }) => !existsSync(commandSource(command)) && !LATER_STAGES.some((stage) => command === `services/${stage}/dist/main.js` && !existsSync(join(root, 'services', stage))));
    expect(missing).toEqual([]);
  });

  it('mounts configuration files that exist', () => {
    const mounts = Object.values(services).flatMap((service) => ((service['volumes'] as string[]) ?? []).filter((volume) => volume.startsWith('.')));
    expect(mounts.length).toBeGreaterThanOrEqual(4);
    for (const mount of mounts) expect(existsSync(resolve(composeDir, mount.split(':')[0]!)), mount).toBe(true);
  });

  it('loads the alert rules', () => {
    expect(prometheus['rule_files']).toEqual(['/etc/prometheus/alerts.yml']);
    expect(alertQueries(alerts).length).toBeGreaterThan(5);
  });
});
