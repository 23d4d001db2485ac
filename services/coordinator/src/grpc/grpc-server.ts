import * as grpc from '@grpc/grpc-js';
import { Counter, Histogram, type Registry } from 'prom-client';
import {
  addReflection,
  eventToProto,
  loadClaudineApi,
  scheduleSpecInputFromProto,
  scheduleToProto,
  specInputFromProto,
  stateFromProto,
  taskToProto,
  type ClusterServiceHandlers,
  type ScheduleServiceHandlers,
  type TaskServiceHandlers,
} from '@claudine/proto';
import { AppError, TaskStateSchema, type Schedule, type TaskState } from '@claudine/core';
import type { Logger } from '@claudine/observability';
import type { WorktreeService, WorktreeView } from '../cluster/worktree-service';
import type { ScheduleService } from '../schedules/schedule-service';
import type { TaskService } from '../tasks/task-service';
import { toGrpcError } from './errors';

export interface GrpcServerOptions {
  host: string;
  port: number;
  tasks: TaskService;
  worktrees: WorktreeService;
  schedules: ScheduleService;
  logger: Logger;
  metrics: Registry;
}

export interface RunningGrpcServer {
  /** host:port actually bound (the port is known after binding port 0). */
  readonly address: string;
  close(): Promise<void>;
}

function parseStates(values: readonly (string | number)[]): TaskState[] {
  return values.map((value, index) => {
    const parsed = TaskStateSchema.safeParse(stateFromProto(value));
    if (!parsed.success) {
      throw new AppError('INVALID_ARGUMENT', `states[${index}]: "${value}" is not a task state`, {
        details: { fields: ['states'] },
      });
    }
    return parsed.data;
  });
}

function worktreeToProto(worktree: WorktreeView) {
  return {
    workerId: worktree.workerId,
    taskId: worktree.taskId,
    path: worktree.path,
    repository: worktree.repository,
    branch: worktree.branch,
    sizeBytes: worktree.sizeBytes,
    modifiedAtMs: worktree.modifiedAtMs,
    inUse: worktree.inUse,
  };
}

/** The gRPC front door: TaskService, ClusterService and ScheduleService, with reflection on. */
export async function startGrpcServer({
  host,
  port,
  tasks,
  worktrees,
  schedules,
  logger,
  metrics,
}: GrpcServerOptions): Promise<RunningGrpcServer> {
  const requests = new Counter({
    name: 'claudine_grpc_requests_total',
    help: 'gRPC requests handled, by method and status code.',
    labelNames: ['method', 'code'],
    registers: [metrics],
  });
  const latency = new Histogram({
    name: 'claudine_grpc_request_duration_seconds',
    help: 'gRPC unary request latency.',
    labelNames: ['method'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [metrics],
  });

  /** Wraps a unary handler: errors translated once, metrics recorded. */
  function unary<Req, Res>(
    method: string,
    handle: (request: Req) => Promise<Res>,
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const stop = latency.startTimer({ method });
      handle(call.request).then(
        (response) => {
          stop();
          requests.inc({ method, code: 'OK' });
          callback(null, response);
        },
        (error: unknown) => {
          stop();
          const status = toGrpcError(error);
          requests.inc({ method, code: grpc.status[status.code ?? grpc.status.UNKNOWN] ?? 'UNKNOWN' });
          if (status.code === grpc.status.INTERNAL) logger.error({ err: error, method }, 'request failed');
          callback(status, null);
        },
      );
    };
  }

  const taskHandlers: TaskServiceHandlers = {
    Delegate: unary('Delegate', async (request) => ({
      task: taskToProto(await tasks.delegate(specInputFromProto(request.spec))),
    })),
    Get: unary('Get', async (request) => taskToProto(await tasks.get(request.taskId))),
    List: unary('List', async (request) => {
      const page = await tasks.list({
        states: parseStates(request.states),
        pageSize: request.pageSize,
        pageToken: request.pageToken,
      });
      return { tasks: page.tasks.map(taskToProto), nextPageToken: page.nextPageToken };
    }),
    Retry: unary('Retry', async (request) => ({ task: taskToProto(await tasks.retry(request.taskId)) })),
    Resume: unary('Resume', async (request) => {
      const resumed = await tasks.resume(request.taskId, request.additionalContext);
      return {
        task: taskToProto(resumed.task),
        mode: resumed.mode === 'same_session' ? 'RESUME_MODE_SAME_SESSION' : 'RESUME_MODE_NEW_SESSION',
        explanation: resumed.explanation,
      };
    }),
    AddDependencies: unary('AddDependencies', async (request) => ({
      task: taskToProto(await tasks.addDependencies(request.taskId, request.dependsOn)),
    })),
    GetPatch: unary('GetPatch', (request) => tasks.getPatch(request.taskId)),
    Cancel: unary('Cancel', async (request) => ({
      task: taskToProto(await tasks.cancel(request.taskId, request.reason)),
    })),
    Watch: (call) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      call.on('close', () => abort.abort());
      void (async () => {
        try {
          for await (const event of tasks.watch(
            call.request.taskId,
            {
              fromOffset: Number(call.request.fromOffset),
              follow: call.request.follow,
              tail: call.request.tail,
              sinceMs: Number(call.request.sinceMs),
            },
            abort.signal,
          )) {
            if (!call.write(eventToProto(event))) await new Promise((resolve) => call.once('drain', resolve));
          }
          requests.inc({ method: 'Watch', code: 'OK' });
          call.end();
        } catch (error) {
          const status = toGrpcError(error);
          requests.inc({
            method: 'Watch',
            code: grpc.status[status.code ?? grpc.status.UNKNOWN] ?? 'UNKNOWN',
          });
          // Not destroy(): a destroyed stream never sends its status, and the client would see
          // CANCELLED. An 'error' event makes grpc-js end the call with this status.
          if (!abort.signal.aborted) call.emit('error', Object.assign(new Error(status.details), status));
        }
      })();
    },
  };

  const clusterHandlers: ClusterServiceHandlers = {
    ListWorkers: unary('ListWorkers', async () => ({
      workers: (await tasks.listWorkers()).map((worker) => ({
        id: worker.id,
        host: worker.host,
        pid: worker.pid,
        capacity: worker.capacity,
        runningTaskIds: worker.runningTaskIds,
        version: worker.version,
        startedAtMs: worker.startedAtMs,
        lastHeartbeatMs: worker.lastHeartbeatMs,
        pausedUntilMs: worker.pausedUntilMs ?? 0,
      })),
    })),
    ListWorktrees: unary('ListWorktrees', async (request) => {
      const listing = await worktrees.list(request.workerId);
      return {
        worktrees: listing.worktrees.map(worktreeToProto),
        workersWithoutInventory: listing.workersWithoutInventory,
      };
    }),
    CollectWorktrees: unary('CollectWorktrees', async (request) => ({
      workers: (
        await worktrees.collect({
          workerId: request.workerId,
          maxAgeMs: Number(request.maxAgeMs),
          maxCount: request.maxCount,
          maxTotalBytes: Number(request.maxTotalBytes),
          dryRun: request.dryRun,
        })
      ).map((collection) => ({
        workerId: collection.workerId,
        removed: collection.removed.map(worktreeToProto),
        kept: collection.kept,
        freedBytes: collection.freedBytes,
        error: collection.error ?? '',
      })),
    })),
  };

  const { proto } = loadClaudineApi();
  const server = new grpc.Server();
  server.addService(proto.claudine.v1.TaskService.service, taskHandlers);
  server.addService(proto.claudine.v1.ClusterService.service, clusterHandlers);
  const scheduleResponse = (schedule: Schedule) => ({
    schedule: scheduleToProto(schedule, schedules.upcoming(schedule)),
  });
  const scheduleHandlers: ScheduleServiceHandlers = {
    ScheduleTask: unary('ScheduleTask', async (request) =>
      scheduleResponse(await schedules.create(scheduleSpecInputFromProto(request))),
    ),
    GetSchedule: unary('GetSchedule', async (request) =>
      scheduleResponse(await schedules.get(request.scheduleId)),
    ),
    ListSchedules: unary('ListSchedules', async (request) => {
      const page = await schedules.list({
        states: request.states,
        pageSize: request.pageSize,
        pageToken: request.pageToken,
      });
      return {
        schedules: page.schedules.map((schedule) => scheduleToProto(schedule, schedules.upcoming(schedule))),
        nextPageToken: page.nextPageToken,
      };
    }),
    PauseSchedule: unary('PauseSchedule', async (request) =>
      scheduleResponse(await schedules.pause(request.scheduleId)),
    ),
    ResumeSchedule: unary('ResumeSchedule', async (request) =>
      scheduleResponse(await schedules.resume(request.scheduleId)),
    ),
    CancelSchedule: unary('CancelSchedule', async (request) =>
      scheduleResponse(await schedules.cancel(request.scheduleId)),
    ),
    UpdateSchedule: unary('UpdateSchedule', async (request) =>
      scheduleResponse(
        await schedules.update(
          request.scheduleId,
          request.spec ? scheduleSpecInputFromProto(request.spec) : undefined,
        ),
      ),
    ),
  };
  server.addService(proto.claudine.v1.ScheduleService.service, scheduleHandlers);
  addReflection(server);

  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`)) : resolve(bound),
    );
  });
  return {
    address: `${host.includes(':') ? `[${host}]` : host}:${boundPort}`,
    close: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), 2_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
