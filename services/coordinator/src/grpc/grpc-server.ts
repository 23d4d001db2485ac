import * as grpc from '@grpc/grpc-js';
import type { Counter, Registry } from 'prom-client';
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
import { AppError, TaskStateSchema, type Caller, type Schedule, type TaskState } from '@claudine/core';
import type { Logger } from '@claudine/observability';
import type { AuditLog, ListedWorker } from '@claudine/store';
import type { WorktreeService, WorktreeView } from '../cluster/worktree-service';
import type { ScheduleService } from '../schedules/schedule-service';
import type { TaskService } from '../tasks/task-service';
import type { TokenAuthenticator } from '../security/api-tokens';
import { assertMayCall, auditTarget, isMutating, listAudit } from '../security/audit';
import type { InternalChannel } from '../security/internal-channel';
import { serverCredentials, type ServerTlsConfig } from '../security/tls';
import { toGrpcError } from './errors';
import { createGrpcMetrics, type DelegationOutcome } from '../metrics/coordinator-metrics';

export interface GrpcServerOptions {
  host: string;
  port: number;
  tasks: TaskService;
  worktrees: WorktreeService;
  schedules: ScheduleService;
  logger: Logger;
  metrics: Registry;
  /** claudine_delegations_total (metrics/coordinator-metrics.ts), counted for every Delegate call. */
  delegations: Counter<'outcome'>;
  /** Checks bearer tokens; with none configured every caller is the default tenant's admin. */
  authenticator: TokenAuthenticator;
  /** Where every mutating call is recorded. */
  audit: AuditLog;
  /** TLS files; absent: plaintext. */
  tls?: ServerTlsConfig;
  /** Also listen on this private Unix socket, the MCP endpoint's way in (security/internal-channel.ts). */
  internal?: InternalChannel;
}

export interface RunningGrpcServer {
  /** host:port actually bound (the port is known after binding port 0). */
  readonly address: string;
  close(): Promise<void>;
}

/** How a refused Delegate call counts in claudine_delegations_total, from its status code. */
function delegationOutcome(code: grpc.status | undefined): DelegationOutcome {
  switch (code) {
    case grpc.status.INVALID_ARGUMENT:
    case grpc.status.FAILED_PRECONDITION:
    case grpc.status.NOT_FOUND:
    case grpc.status.OUT_OF_RANGE:
    case grpc.status.ALREADY_EXISTS:
      return 'invalid';
    case grpc.status.PERMISSION_DENIED:
    case grpc.status.UNAUTHENTICATED:
    case grpc.status.RESOURCE_EXHAUSTED:
      return 'refused';
    default:
      return 'error';
  }
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
  delegations,
  authenticator,
  audit,
  tls,
  internal,
}: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { requests, latency } = createGrpcMetrics(metrics);

  /** The caller of a call, from its bearer token. @throws AppError UNAUTHENTICATED */
  function callerOf(
    call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
  ) {
    const authorization = call.metadata.get('authorization')[0];
    return authenticator.authenticate(
      typeof authorization === 'string' ? authorization : undefined,
      // A call of the MCP endpoint is recorded with the address of its HTTP client.
      internal?.forwardedPeer(call.metadata) ?? call.getPeer(),
    );
  }

  /**
   * Records a mutating call in the audit stream, before the answer goes out (a caller that reads
   * the trail next finds it); a failure to record is logged, and never fails the call.
   */
  function record(caller: Caller, path: string, target: string, outcome: string): Promise<void> {
    return audit
      .append({
        tokenName: caller.tokenName,
        tenant: caller.tenant,
        method: path.replace(/^\/claudine\.v1\./, ''),
        target,
        outcome,
        peer: caller.peer,
      })
      .then(
        () => undefined,
        (error: unknown) => logger.warn({ err: error, method: path }, 'could not write the audit entry'),
      );
  }

  /**
   * Wraps a unary handler: the caller authenticated (every method: an added one is covered too),
   * errors translated once, metrics recorded, and a mutating call (security/audit.ts) audited
   * with its outcome.
   */
  function unary<Req, Res>(
    method: string,
    handle: (request: Req, caller: Caller) => Promise<Res>,
  ): grpc.handleUnaryCall<Req, Res> {
    return (call, callback) => {
      const stop = latency.startTimer({ method });
      let caller: Caller | undefined;
      const audited = isMutating(method);
      new Promise<Caller>((resolve) => resolve(callerOf(call)))
        .then((known) => {
          caller = known;
          assertMayCall(known, method);
          return handle(call.request, known);
        })
        .then(
          (response) => {
            stop();
            requests.inc({ method, code: 'OK' });
            if (method === 'Delegate') delegations.inc({ outcome: 'accepted' });
            if (!audited || !caller) return callback(null, response);
            void record(caller, call.getPath(), auditTarget(call.request, response), 'OK').then(() =>
              callback(null, response),
            );
          },
          (error: unknown) => {
            stop();
            const status = toGrpcError(error);
            requests.inc({ method, code: grpc.status[status.code ?? grpc.status.UNKNOWN] ?? 'UNKNOWN' });
            if (method === 'Delegate') delegations.inc({ outcome: delegationOutcome(status.code) });
            if (status.code === grpc.status.INTERNAL) logger.error({ err: error, method }, 'request failed');
            // A call refused for its token is not audited (anyone could fill the trail with those):
            // it is logged and counted in claudine_grpc_requests_total{code="UNAUTHENTICATED"}.
            if (!caller) logger.warn({ method, peer: call.getPeer() }, 'unauthenticated call refused');
            if (!audited || !caller) return callback(status, null);
            const outcome = AppError.is(error) ? error.code : 'INTERNAL';
            void record(caller, call.getPath(), auditTarget(call.request, undefined), outcome).then(() =>
              callback(status, null),
            );
          },
        );
    };
  }

  const taskHandlers: TaskServiceHandlers = {
    Delegate: unary('Delegate', async (request, caller) => ({
      task: taskToProto(await tasks.delegate(specInputFromProto(request.spec), caller)),
    })),
    Get: unary('Get', async (request, caller) => taskToProto(await tasks.get(request.taskId, caller))),
    List: unary('List', async (request, caller) => {
      const page = await tasks.list(
        {
          states: parseStates(request.states),
          pageSize: request.pageSize,
          pageToken: request.pageToken,
          tenant: request.tenant,
        },
        caller,
      );
      return { tasks: page.tasks.map(taskToProto), nextPageToken: page.nextPageToken };
    }),
    Retry: unary('Retry', async (request, caller) => ({
      task: taskToProto(await tasks.retry(request.taskId, caller)),
    })),
    Resume: unary('Resume', async (request, caller) => {
      const resumed = await tasks.resume(request.taskId, request.additionalContext, caller);
      return {
        task: taskToProto(resumed.task),
        mode: resumed.mode === 'same_session' ? 'RESUME_MODE_SAME_SESSION' : 'RESUME_MODE_NEW_SESSION',
        explanation: resumed.explanation,
      };
    }),
    AddDependencies: unary('AddDependencies', async (request, caller) => ({
      task: taskToProto(await tasks.addDependencies(request.taskId, request.dependsOn, caller)),
    })),
    GetPatch: unary('GetPatch', (request, caller) => tasks.getPatch(request.taskId, caller)),
    Cancel: unary('Cancel', async (request, caller) => ({
      task: taskToProto(await tasks.cancel(request.taskId, request.reason, caller)),
    })),
    Watch: (call) => {
      const abort = new AbortController();
      call.on('cancelled', () => abort.abort());
      call.on('close', () => abort.abort());
      void (async () => {
        try {
          const caller = callerOf(call);
          for await (const event of tasks.watch(
            call.request.taskId,
            {
              fromOffset: Number(call.request.fromOffset),
              follow: call.request.follow,
              tail: call.request.tail,
              sinceMs: Number(call.request.sinceMs),
            },
            abort.signal,
            caller,
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
    ListWorkers: unary('ListWorkers', async (_request, caller) => ({
      workers: (await tasks.listWorkers(caller)).map(workerToProto),
    })),
    DrainWorker: unary('DrainWorker', async (request) => ({
      worker: workerToProto(await tasks.drainWorker(request.workerId, request.undo)),
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
    ListAudit: unary('ListAudit', async (request, caller) => ({
      entries: await listAudit(audit, caller, {
        sinceMs: Number(request.sinceMs),
        limit: request.limit,
        tenant: request.tenant,
      }),
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
    ScheduleTask: unary('ScheduleTask', async (request, caller) =>
      scheduleResponse(await schedules.create(scheduleSpecInputFromProto(request), caller)),
    ),
    GetSchedule: unary('GetSchedule', async (request, caller) =>
      scheduleResponse(await schedules.get(request.scheduleId, caller)),
    ),
    ListSchedules: unary('ListSchedules', async (request, caller) => {
      const page = await schedules.list(
        {
          states: request.states,
          pageSize: request.pageSize,
          pageToken: request.pageToken,
          tenant: request.tenant,
        },
        caller,
      );
      return {
        schedules: page.schedules.map((schedule) => scheduleToProto(schedule, schedules.upcoming(schedule))),
        nextPageToken: page.nextPageToken,
      };
    }),
    PauseSchedule: unary('PauseSchedule', async (request, caller) =>
      scheduleResponse(await schedules.pause(request.scheduleId, caller)),
    ),
    ResumeSchedule: unary('ResumeSchedule', async (request, caller) =>
      scheduleResponse(await schedules.resume(request.scheduleId, caller)),
    ),
    CancelSchedule: unary('CancelSchedule', async (request, caller) =>
      scheduleResponse(await schedules.cancel(request.scheduleId, caller)),
    ),
    UpdateSchedule: unary('UpdateSchedule', async (request, caller) =>
      scheduleResponse(
        await schedules.update(
          request.scheduleId,
          request.spec ? scheduleSpecInputFromProto(request.spec) : undefined,
          caller,
        ),
      ),
    ),
  };
  server.addService(proto.claudine.v1.ScheduleService.service, scheduleHandlers);
  addReflection(server);

  const boundPort = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${host}:${port}`, serverCredentials(tls), (error, bound) =>
      error ? reject(new Error(`cannot listen on ${host}:${port}: ${error.message}`)) : resolve(bound),
    );
  });
  if (internal)
    await new Promise<void>((resolve, reject) => {
      server.bindAsync(internal.address, grpc.ServerCredentials.createInsecure(), (error) => {
        if (!error) return resolve();
        server.forceShutdown();
        reject(new Error(`cannot listen on ${internal.address}: ${error.message}`));
      });
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

/** A registry entry on the wire (ListWorkers, DrainWorker). */
function workerToProto(worker: ListedWorker) {
  return {
    id: worker.id,
    host: worker.host,
    pid: worker.pid,
    capacity: worker.capacity,
    runningTaskIds: worker.runningTaskIds,
    version: worker.version,
    startedAtMs: worker.startedAtMs,
    lastHeartbeatMs: worker.lastHeartbeatMs,
    pausedUntilMs: worker.pausedUntilMs ?? 0,
    labels: worker.labels,
    state: worker.state,
    load1: worker.load1,
    cpus: worker.cpus,
    freeMemoryBytes: worker.freeMemoryBytes,
    maxCapacity: worker.maxCapacity ?? worker.capacity,
    drainRequested: worker.drainRequested,
  };
}
