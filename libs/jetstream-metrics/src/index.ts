export { JetStreamExporter, consumerLabels, DEFAULT_JETSTREAM_POLL_MS, type JetStreamExporterOptions } from './jetstream-exporter.js';
