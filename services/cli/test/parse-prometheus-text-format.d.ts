// Types of the parts of parse-prometheus-text-format@1 (which ships none) used by status-agreement.test.ts.
declare module 'parse-prometheus-text-format' {
  interface Family {
    name: string;
    help: string;
    type: string;
    metrics: Array<{ value?: string; labels?: Record<string, string> }>;
  }
  export default function parsePrometheusTextFormat(text: string): Family[];
}
