export { createChartHandler, type ChartHandlerDeps } from './handler.js';
export { chartStage, createChartStage, CHART_MODEL_ID } from './stage.js';
export { loadChartConfig, chartSchema, CHART_BACKENDS, DEFAULT_CHART_BATCH_SIZE, type ChartConfig, type ChartBackendChoice } from './config.js';
export { readAxes, DEFAULT_AXIS_OPTIONS, type ChartReading, type AxisOptions } from './axes.js';
