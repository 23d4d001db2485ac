export { ConfigSchema, defaultAgentCommand, loadConfig } from './config';
export type { WorkerConfig } from './config';
export { AGENT_FIXED_ENV, WorkerService } from './worker-service';
export { DEFAULT_AGENT_ENV_ALLOWLIST } from './execution/agent-environment';
export type { WorkerServiceDependencies, WorkerServiceState } from './worker-service';
export type { AgentExecutor, PreparedAgentRun, AgentRunOutcome } from './execution/agent-executor';
export { AGENT_EXIT_REASONS, describeWorkerMetrics } from './metrics/worker-metrics';
