import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import {
  AppError,
  ERROR_CODES,
  type ErrorCode,
  type Task,
  type TaskEvent,
  type TaskState,
} from '@claudine/core';
import { loadClaudineApi } from './load';
import { eventFromProto, stateToProto, taskFromProto } from './mappers';
import type { AddDependenciesResponse__Output } from './generated/claudine/v1/AddDependenciesResponse';
import type { AuditEntry__Output } from './generated/claudine/v1/AuditEntry';
import type { CancelTaskResponse__Output } from './generated/claudine/v1/CancelTaskResponse';
import type { ClusterServiceClient } from './generated/claudine/v1/ClusterService';
import type { DelegateResponse__Output } from './generated/claudine/v1/DelegateResponse';
import type { DrainWorkerResponse__Output } from './generated/claudine/v1/DrainWorkerResponse';
import type { GetPatchResponse__Output } from './generated/claudine/v1/GetPatchResponse';
import type { ListAuditResponse__Output } from './generated/claudine/v1/ListAuditResponse';
import type { ListSchedulesResponse__Output } from './generated/claudine/v1/ListSchedulesResponse';
import type { ListTasksResponse__Output } from './generated/claudine/v1/ListTasksResponse';
import type { ListWorkersResponse__Output } from './generated/claudine/v1/ListWorkersResponse';
import type { ResumeTaskResponse__Output } from './generated/claudine/v1/ResumeTaskResponse';
import type { RetryTaskResponse__Output } from './generated/claudine/v1/RetryTaskResponse';
import type { Schedule__Output } from './generated/claudine/v1/Schedule';
import type { ScheduleResponse__Output } from './generated/claudine/v1/ScheduleResponse';
import type { ScheduleServiceClient } from './generated/claudine/v1/ScheduleService';
import type { ScheduleTaskRequest as ProtoScheduleTaskRequest } from './generated/claudine/v1/ScheduleTaskRequest';
import type { Task__Output } from './generated/claudine/v1/Task';
import type { TaskEvent__Output } from './generated/claudine/v1/TaskEvent';
import type { TaskServiceClient } from './generated/claudine/v1/TaskService';
import type { TaskSpec as ProtoTaskSpec } from './generated/claudine/v1/TaskSpec';
import type { WorkerInfo__Output } from './generated/claudine/v1/WorkerInfo';

/** The address `claudine up` serves, tried when neither --address nor CLAUDINE_ADDRESS is given. */
export const DEFAULT_ADDRESS = '127.0.0.1:50551';
const ERROR_CODE_METADATA_KEY = 'claudine-error-code';
const DEFAULT_DEADLINE_MS = 30_000;
/** A collection waits for every worker up to the coordinator's deadline (CLAUDINE_WORKTREE_GC_TIMEOUT_MS, at most 2 min). */
const COLLECT_DEADLINE_MS = 150_000;

/** The value a unary ClusterService method answers with. */
type ClusterResponse<M extends keyof ClusterServiceClient> = ClusterServiceClient[M] extends (
  argument: never,
  callback: (error: grpc.ServiceError | null, value?: infer R) => void,
) => unknown
  ? R
  : never;
export type WorktreeListing = ClusterResponse<'ListWorktrees'>;
export type WorktreeInfo = WorktreeListing['worktrees'][number];
export type WorktreeCollection = ClusterResponse<'CollectWorktrees'>['workers'][number];

export interface CollectWorktreesInput {
  /** Only this worker; absent: every live worker. */
  workerId?: string;
  /** Absent or 0: each worker's configured limit. */
  maxAgeMs?: number;
  maxCount?: number;
  maxTotalBytes?: number;
  dryRun?: boolean;
}

/** How a client (the CLI, the MCP gateway) reaches a secured coordinator (flags, else CLAUDINE_TOKEN and CLAUDINE_TLS_*). */
export interface ConnectOptions {
  /** Sent as `authorization: Bearer <token>` on every call. */
  token?: string;
  /** TLS: the CA that signed the coordinator's certificate (PEM file). Absent: plaintext. */
  tlsCaFile?: string;
  /** A client certificate and key (PEM files), for a coordinator that requires them. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** The name to check the server certificate against, when the address is not it. */
  tlsServerName?: string;
  /** More metadata for every call (the coordinator's /mcp names the HTTP client it acts for). */
  metadata?: Record<string, string>;
}

function readPem(what: string, file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new AppError(
      'INVALID_ARGUMENT',
      `${what}: cannot read ${file} (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

/**
 * The channel credentials: TLS when a CA is given, plaintext otherwise.
 * @throws AppError INVALID_ARGUMENT naming the file that cannot be read, or a half-given client certificate
 */
export function channelCredentials(options: ConnectOptions): grpc.ChannelCredentials {
  if ((options.tlsCertFile === undefined) !== (options.tlsKeyFile === undefined))
    throw new AppError(
      'INVALID_ARGUMENT',
      '--tls-cert: a client certificate needs both --tls-cert and --tls-key (CLAUDINE_TLS_CLIENT_CERT_FILE, CLAUDINE_TLS_CLIENT_KEY_FILE)',
    );
  if (options.tlsCaFile === undefined) {
    if (options.tlsCertFile !== undefined)
      throw new AppError('INVALID_ARGUMENT', '--tls-cert: a client certificate needs TLS: give --tls-ca too');
    return grpc.credentials.createInsecure();
  }
  return grpc.credentials.createSsl(
    readPem('--tls-ca', options.tlsCaFile),
    options.tlsKeyFile === undefined ? null : readPem('--tls-key', options.tlsKeyFile),
    options.tlsCertFile === undefined ? null : readPem('--tls-cert', options.tlsCertFile),
  );
}

/**
 * Adds the bearer token and any extra metadata to every call, unary and streaming (works over
 * plaintext too, unlike call credentials).
 */
function metadataInterceptor(token: string | undefined, extra: Record<string, string>): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        if (token) metadata.set('authorization', `Bearer ${token}`);
        for (const [key, value] of Object.entries(extra)) metadata.set(key, value);
        next(metadata, listener);
      },
    });
}

/** A gRPC failure as a domain error: the server's code when it sent one, else one from the status. */
export function fromGrpcError(error: grpc.ServiceError, address: string): AppError {
  const sent = error.metadata?.get(ERROR_CODE_METADATA_KEY)[0];
  if (typeof sent === 'string' && (ERROR_CODES as readonly string[]).includes(sent)) {
    return new AppError(sent as ErrorCode, error.details || error.message);
  }
  switch (error.code) {
    case grpc.status.UNAVAILABLE:
    case grpc.status.DEADLINE_EXCEEDED:
      return new AppError(
        'UNAVAILABLE',
        `cannot reach the Claudine coordinator at ${address} (${error.details}). Is \`claudine up\` running? Set --address or CLAUDINE_ADDRESS to use another.`,
      );
    case grpc.status.INVALID_ARGUMENT:
      return new AppError('INVALID_ARGUMENT', error.details);
    case grpc.status.NOT_FOUND:
      return new AppError('TASK_NOT_FOUND', error.details);
    case grpc.status.OUT_OF_RANGE:
      return new AppError('OUT_OF_RANGE', error.details);
    case grpc.status.FAILED_PRECONDITION:
      return new AppError('TASK_ALREADY_FINISHED', error.details);
    case grpc.status.UNAUTHENTICATED:
      return new AppError(
        'UNAUTHENTICATED',
        `${error.details || 'unauthenticated'} (give a token with --token or CLAUDINE_TOKEN)`,
      );
    case grpc.status.PERMISSION_DENIED:
      return new AppError('PERMISSION_DENIED', error.details);
    default:
      return new AppError('INTERNAL', error.details || error.message);
  }
}

/** A small promise-based client of the coordinator's gRPC API. */
export class ClusterClient {
  private constructor(
    readonly address: string,
    private readonly tasks: TaskServiceClient,
    private readonly cluster: ClusterServiceClient,
    private readonly schedules: ScheduleServiceClient,
  ) {}

  /** @throws AppError INVALID_ARGUMENT when a TLS file cannot be read */
  static connect(address: string, options: ConnectOptions = {}): ClusterClient {
    const { proto } = loadClaudineApi();
    const credentials = channelCredentials(options);
    const clientOptions: grpc.ClientOptions = {
      ...(options.token || options.metadata
        ? { interceptors: [metadataInterceptor(options.token, options.metadata ?? {})] }
        : {}),
      ...(options.tlsServerName ? { 'grpc.ssl_target_name_override': options.tlsServerName } : {}),
    };
    return new ClusterClient(
      address,
      new proto.claudine.v1.TaskService(address, credentials, clientOptions),
      new proto.claudine.v1.ClusterService(address, credentials, clientOptions),
      new proto.claudine.v1.ScheduleService(address, credentials, clientOptions),
    );
  }

  private call<Res>(
    invoke: (options: grpc.CallOptions, callback: grpc.requestCallback<Res>) => void,
    deadlineMs = DEFAULT_DEADLINE_MS,
  ): Promise<Res> {
    return new Promise((resolve, reject) => {
      invoke({ deadline: Date.now() + deadlineMs }, (error, response) => {
        if (error) reject(fromGrpcError(error, this.address));
        else if (response === undefined) reject(new AppError('INTERNAL', 'empty response'));
        else resolve(response);
      });
    });
  }

  async delegate(spec: ProtoTaskSpec): Promise<Task> {
    const response = await this.call<DelegateResponse__Output>((options, callback) =>
      this.tasks.Delegate({ spec }, options, callback),
    );
    if (!response.task) throw new AppError('INTERNAL', 'the coordinator returned no task');
    return taskFromProto(response.task);
  }

  async get(taskId: string): Promise<Task> {
    return taskFromProto(
      await this.call<Task__Output>((options, callback) => this.tasks.Get({ taskId }, options, callback)),
    );
  }

  async list(input: { states?: TaskState[]; pageSize?: number; pageToken?: string; tenant?: string }) {
    const response = await this.call<ListTasksResponse__Output>((options, callback) =>
      this.tasks.List(
        {
          states: (input.states ?? []).map(stateToProto),
          pageSize: input.pageSize ?? 0,
          pageToken: input.pageToken ?? '',
          tenant: input.tenant ?? '',
        },
        options,
        callback,
      ),
    );
    return { tasks: response.tasks.map(taskFromProto), nextPageToken: response.nextPageToken };
  }

  async cancel(taskId: string, reason = ''): Promise<Task> {
    const response = await this.call<CancelTaskResponse__Output>((options, callback) =>
      this.tasks.Cancel({ taskId, reason }, options, callback),
    );
    if (!response.task) throw new AppError('INTERNAL', 'the coordinator returned no task');
    return taskFromProto(response.task);
  }

  async retry(taskId: string): Promise<Task> {
    const response = await this.call<RetryTaskResponse__Output>((options, callback) =>
      this.tasks.Retry({ taskId }, options, callback),
    );
    if (!response.task) throw new AppError('INTERNAL', 'the coordinator returned no task');
    return taskFromProto(response.task);
  }

  async resume(
    taskId: string,
    additionalContext = '',
  ): Promise<{ task: Task; mode: 'same_session' | 'new_session'; explanation: string }> {
    const response = await this.call<ResumeTaskResponse__Output>((options, callback) =>
      this.tasks.Resume({ taskId, additionalContext }, options, callback),
    );
    if (!response.task) throw new AppError('INTERNAL', 'the coordinator returned no task');
    return {
      task: taskFromProto(response.task),
      mode: response.mode === 'RESUME_MODE_SAME_SESSION' ? 'same_session' : 'new_session',
      explanation: response.explanation,
    };
  }

  /**
   * Makes a task that is still blocked also wait for these tasks (all edges or none); the task as
   * it is afterwards. @throws AppError DEPENDENCY_CYCLE (the message names it), INVALID_ARGUMENT,
   * TASK_NOT_FOUND, TASK_ALREADY_FINISHED (not blocked any more)
   */
  async addDependencies(taskId: string, dependsOn: readonly string[]): Promise<Task> {
    const response = await this.call<AddDependenciesResponse__Output>((options, callback) =>
      this.tasks.AddDependencies({ taskId, dependsOn: [...dependsOn] }, options, callback),
    );
    if (!response.task) throw new AppError('INTERNAL', 'the coordinator returned no task');
    return taskFromProto(response.task);
  }

  /** The patch kept for a task. @throws AppError PATCH_NOT_FOUND */
  async getPatch(taskId: string): Promise<{ patch: Buffer; baseCommit: string; headCommit: string }> {
    const response = await this.call<GetPatchResponse__Output>((options, callback) =>
      this.tasks.GetPatch({ taskId }, options, callback),
    );
    return { patch: response.patch, baseCommit: response.baseCommit, headCommit: response.headCommit };
  }

  async listWorkers(): Promise<WorkerInfo__Output[]> {
    const response = await this.call<ListWorkersResponse__Output>((options, callback) =>
      this.cluster.ListWorkers({}, options, callback),
    );
    return response.workers;
  }

  /** The audit trail, newest first (an admin token: every tenant's, or `tenant`'s). */
  async listAudit(input: {
    sinceMs?: number;
    limit?: number;
    tenant?: string;
  }): Promise<AuditEntry__Output[]> {
    const response = await this.call<ListAuditResponse__Output>((options, callback) =>
      this.cluster.ListAudit(
        { sinceMs: input.sinceMs ?? 0, limit: input.limit ?? 0, tenant: input.tenant ?? '' },
        options,
        callback,
      ),
    );
    return response.entries;
  }

  /**
   * Stops a worker taking new tasks, or with `undo` lets it take them again.
   * @throws AppError WORKER_NOT_FOUND
   */
  async drainWorker(workerId: string, undo = false): Promise<WorkerInfo__Output> {
    const response = await this.call<DrainWorkerResponse__Output>((options, callback) =>
      this.cluster.DrainWorker({ workerId, undo }, options, callback),
    );
    if (!response.worker) throw new AppError('INTERNAL', 'DrainWorker answered without the worker');
    return response.worker;
  }

  /** The kept worktrees of the live workers (or of one), as each last reported them. */
  async listWorktrees(workerId = ''): Promise<WorktreeListing> {
    return this.call<WorktreeListing>((options, callback) =>
      this.cluster.ListWorktrees({ workerId }, options, callback),
    );
  }

  /** Asks the live workers (or one) to collect their kept worktrees; one entry per worker. */
  async collectWorktrees(input: CollectWorktreesInput): Promise<WorktreeCollection[]> {
    const response = await this.call<ClusterResponse<'CollectWorktrees'>>(
      (options, callback) =>
        this.cluster.CollectWorktrees(
          {
            workerId: input.workerId ?? '',
            maxAgeMs: input.maxAgeMs ?? 0,
            maxCount: input.maxCount ?? 0,
            maxTotalBytes: input.maxTotalBytes ?? 0,
            dryRun: input.dryRun ?? false,
          },
          options,
          callback,
        ),
      COLLECT_DEADLINE_MS,
    );
    return response.workers;
  }

  /**
   * A task's events from an offset; with `follow`, live until the task's final state. `tail`
   * starts with the last N events, `sinceMs` keeps those at or after a time (0: off).
   */
  async *watch(
    taskId: string,
    options: {
      fromOffset?: number;
      follow: boolean;
      tail?: number;
      sinceMs?: number;
      /** Ends the stream early: the generator then throws AppError CANCELLED. */
      signal?: AbortSignal;
    },
  ): AsyncGenerator<TaskEvent> {
    const stream = this.tasks.Watch({
      taskId,
      fromOffset: options.fromOffset ?? 0,
      follow: options.follow,
      tail: options.tail ?? 0,
      sinceMs: options.sinceMs ?? 0,
    });
    const { signal } = options;
    const onAbort = (): void => stream.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal?.aborted) stream.cancel();
      for await (const event of stream) yield eventFromProto(event as TaskEvent__Output);
    } catch (error) {
      if (signal?.aborted) throw new AppError('CANCELLED', `stopped watching ${taskId}`, { cause: error });
      if (error && typeof error === 'object' && 'code' in error)
        throw fromGrpcError(error as grpc.ServiceError, this.address);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      stream.cancel();
    }
  }

  async scheduleTask(request: ProtoScheduleTaskRequest): Promise<Schedule__Output> {
    return this.scheduleOf(
      await this.call<ScheduleResponse__Output>((options, callback) =>
        this.schedules.ScheduleTask(request, options, callback),
      ),
    );
  }

  async getSchedule(scheduleId: string): Promise<Schedule__Output> {
    return this.scheduleOf(
      await this.call<ScheduleResponse__Output>((options, callback) =>
        this.schedules.GetSchedule({ scheduleId }, options, callback),
      ),
    );
  }

  async listSchedules(input: { states?: string[]; pageSize?: number; pageToken?: string } = {}) {
    return this.call<ListSchedulesResponse__Output>((options, callback) =>
      this.schedules.ListSchedules(
        { states: input.states ?? [], pageSize: input.pageSize ?? 0, pageToken: input.pageToken ?? '' },
        options,
        callback,
      ),
    );
  }

  /** Pauses, resumes or cancels a schedule. */
  async changeSchedule(change: 'pause' | 'resume' | 'cancel', scheduleId: string): Promise<Schedule__Output> {
    const method = ({ pause: 'PauseSchedule', resume: 'ResumeSchedule', cancel: 'CancelSchedule' } as const)[
      change
    ];
    return this.scheduleOf(
      await this.call<ScheduleResponse__Output>((options, callback) =>
        this.schedules[method]({ scheduleId }, options, callback),
      ),
    );
  }

  async updateSchedule(scheduleId: string, spec: ProtoScheduleTaskRequest): Promise<Schedule__Output> {
    return this.scheduleOf(
      await this.call<ScheduleResponse__Output>((options, callback) =>
        this.schedules.UpdateSchedule({ scheduleId, spec }, options, callback),
      ),
    );
  }

  private scheduleOf(response: ScheduleResponse__Output): Schedule__Output {
    if (!response.schedule) throw new AppError('INTERNAL', 'the coordinator returned no schedule');
    return response.schedule;
  }

  close(): void {
    this.tasks.close();
    this.cluster.close();
    this.schedules.close();
  }
}
