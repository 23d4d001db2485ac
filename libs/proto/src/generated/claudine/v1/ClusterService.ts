// Original file: proto/claudine/v1/tasks.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  CollectWorktreesRequest as _claudine_v1_CollectWorktreesRequest,
  CollectWorktreesRequest__Output as _claudine_v1_CollectWorktreesRequest__Output,
} from '../../claudine/v1/CollectWorktreesRequest';
import type {
  CollectWorktreesResponse as _claudine_v1_CollectWorktreesResponse,
  CollectWorktreesResponse__Output as _claudine_v1_CollectWorktreesResponse__Output,
} from '../../claudine/v1/CollectWorktreesResponse';
import type {
  DrainWorkerRequest as _claudine_v1_DrainWorkerRequest,
  DrainWorkerRequest__Output as _claudine_v1_DrainWorkerRequest__Output,
} from '../../claudine/v1/DrainWorkerRequest';
import type {
  DrainWorkerResponse as _claudine_v1_DrainWorkerResponse,
  DrainWorkerResponse__Output as _claudine_v1_DrainWorkerResponse__Output,
} from '../../claudine/v1/DrainWorkerResponse';
import type {
  ListAuditRequest as _claudine_v1_ListAuditRequest,
  ListAuditRequest__Output as _claudine_v1_ListAuditRequest__Output,
} from '../../claudine/v1/ListAuditRequest';
import type {
  ListAuditResponse as _claudine_v1_ListAuditResponse,
  ListAuditResponse__Output as _claudine_v1_ListAuditResponse__Output,
} from '../../claudine/v1/ListAuditResponse';
import type {
  ListWorkersRequest as _claudine_v1_ListWorkersRequest,
  ListWorkersRequest__Output as _claudine_v1_ListWorkersRequest__Output,
} from '../../claudine/v1/ListWorkersRequest';
import type {
  ListWorkersResponse as _claudine_v1_ListWorkersResponse,
  ListWorkersResponse__Output as _claudine_v1_ListWorkersResponse__Output,
} from '../../claudine/v1/ListWorkersResponse';
import type {
  ListWorktreesRequest as _claudine_v1_ListWorktreesRequest,
  ListWorktreesRequest__Output as _claudine_v1_ListWorktreesRequest__Output,
} from '../../claudine/v1/ListWorktreesRequest';
import type {
  ListWorktreesResponse as _claudine_v1_ListWorktreesResponse,
  ListWorktreesResponse__Output as _claudine_v1_ListWorktreesResponse__Output,
} from '../../claudine/v1/ListWorktreesResponse';

/**
 * The cluster: which workers are alive and what they run.
 */
export interface ClusterServiceClient extends grpc.Client {
  /**
   * Asks live workers to remove kept worktrees past an age, beyond a count or over a disk
   * budget; a worktree in use is never removed. Waits for each worker's answer up to a deadline.
   */
  CollectWorktrees(
    argument: _claudine_v1_CollectWorktreesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_CollectWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  CollectWorktrees(
    argument: _claudine_v1_CollectWorktreesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_CollectWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  CollectWorktrees(
    argument: _claudine_v1_CollectWorktreesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_CollectWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  CollectWorktrees(
    argument: _claudine_v1_CollectWorktreesRequest,
    callback: grpc.requestCallback<_claudine_v1_CollectWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Asks live workers to remove kept worktrees past an age, beyond a count or over a disk
   * budget; a worktree in use is never removed. Waits for each worker's answer up to a deadline.
   */
  collectWorktrees(
    argument: _claudine_v1_CollectWorktreesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_CollectWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  collectWorktrees(
    argument: _claudine_v1_CollectWorktreesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_CollectWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  collectWorktrees(
    argument: _claudine_v1_CollectWorktreesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_CollectWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  collectWorktrees(
    argument: _claudine_v1_CollectWorktreesRequest,
    callback: grpc.requestCallback<_claudine_v1_CollectWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Stops a worker taking new tasks (its running tasks go on); `undo` lets it take them again.
   * NOT_FOUND (WORKER_NOT_FOUND) for a worker the registry does not list.
   */
  DrainWorker(
    argument: _claudine_v1_DrainWorkerRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_DrainWorkerResponse__Output>,
  ): grpc.ClientUnaryCall;
  DrainWorker(
    argument: _claudine_v1_DrainWorkerRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_DrainWorkerResponse__Output>,
  ): grpc.ClientUnaryCall;
  DrainWorker(
    argument: _claudine_v1_DrainWorkerRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_DrainWorkerResponse__Output>,
  ): grpc.ClientUnaryCall;
  DrainWorker(
    argument: _claudine_v1_DrainWorkerRequest,
    callback: grpc.requestCallback<_claudine_v1_DrainWorkerResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Stops a worker taking new tasks (its running tasks go on); `undo` lets it take them again.
   * NOT_FOUND (WORKER_NOT_FOUND) for a worker the registry does not list.
   */
  drainWorker(
    argument: _claudine_v1_DrainWorkerRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_DrainWorkerResponse__Output>,
  ): grpc.ClientUnaryCall;
  drainWorker(
    argument: _claudine_v1_DrainWorkerRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_DrainWorkerResponse__Output>,
  ): grpc.ClientUnaryCall;
  drainWorker(
    argument: _claudine_v1_DrainWorkerRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_DrainWorkerResponse__Output>,
  ): grpc.ClientUnaryCall;
  drainWorker(
    argument: _claudine_v1_DrainWorkerRequest,
    callback: grpc.requestCallback<_claudine_v1_DrainWorkerResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * The audit trail of mutating calls, newest first. An admin token sees every tenant's (or one
   * tenant's, with tenant); any other token sees its own tenant's only.
   */
  ListAudit(
    argument: _claudine_v1_ListAuditRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListAudit(
    argument: _claudine_v1_ListAuditRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListAudit(
    argument: _claudine_v1_ListAuditRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListAudit(
    argument: _claudine_v1_ListAuditRequest,
    callback: grpc.requestCallback<_claudine_v1_ListAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The audit trail of mutating calls, newest first. An admin token sees every tenant's (or one
   * tenant's, with tenant); any other token sees its own tenant's only.
   */
  listAudit(
    argument: _claudine_v1_ListAuditRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  listAudit(
    argument: _claudine_v1_ListAuditRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  listAudit(
    argument: _claudine_v1_ListAuditRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListAuditResponse__Output>,
  ): grpc.ClientUnaryCall;
  listAudit(
    argument: _claudine_v1_ListAuditRequest,
    callback: grpc.requestCallback<_claudine_v1_ListAuditResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * Live workers, and dead ones (state `dead`) for a while after their heartbeat lapsed.
   */
  ListWorkers(
    argument: _claudine_v1_ListWorkersRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListWorkersResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListWorkers(
    argument: _claudine_v1_ListWorkersRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListWorkersResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListWorkers(
    argument: _claudine_v1_ListWorkersRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListWorkersResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListWorkers(
    argument: _claudine_v1_ListWorkersRequest,
    callback: grpc.requestCallback<_claudine_v1_ListWorkersResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * Live workers, and dead ones (state `dead`) for a while after their heartbeat lapsed.
   */
  listWorkers(
    argument: _claudine_v1_ListWorkersRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListWorkersResponse__Output>,
  ): grpc.ClientUnaryCall;
  listWorkers(
    argument: _claudine_v1_ListWorkersRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListWorkersResponse__Output>,
  ): grpc.ClientUnaryCall;
  listWorkers(
    argument: _claudine_v1_ListWorkersRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListWorkersResponse__Output>,
  ): grpc.ClientUnaryCall;
  listWorkers(
    argument: _claudine_v1_ListWorkersRequest,
    callback: grpc.requestCallback<_claudine_v1_ListWorkersResponse__Output>,
  ): grpc.ClientUnaryCall;

  /**
   * The task worktrees each live worker keeps on its disk (as last reported by the worker).
   */
  ListWorktrees(
    argument: _claudine_v1_ListWorktreesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListWorktrees(
    argument: _claudine_v1_ListWorktreesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListWorktrees(
    argument: _claudine_v1_ListWorktreesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  ListWorktrees(
    argument: _claudine_v1_ListWorktreesRequest,
    callback: grpc.requestCallback<_claudine_v1_ListWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  /**
   * The task worktrees each live worker keeps on its disk (as last reported by the worker).
   */
  listWorktrees(
    argument: _claudine_v1_ListWorktreesRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listWorktrees(
    argument: _claudine_v1_ListWorktreesRequest,
    metadata: grpc.Metadata,
    callback: grpc.requestCallback<_claudine_v1_ListWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listWorktrees(
    argument: _claudine_v1_ListWorktreesRequest,
    options: grpc.CallOptions,
    callback: grpc.requestCallback<_claudine_v1_ListWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
  listWorktrees(
    argument: _claudine_v1_ListWorktreesRequest,
    callback: grpc.requestCallback<_claudine_v1_ListWorktreesResponse__Output>,
  ): grpc.ClientUnaryCall;
}

/**
 * The cluster: which workers are alive and what they run.
 */
export interface ClusterServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Asks live workers to remove kept worktrees past an age, beyond a count or over a disk
   * budget; a worktree in use is never removed. Waits for each worker's answer up to a deadline.
   */
  CollectWorktrees: grpc.handleUnaryCall<
    _claudine_v1_CollectWorktreesRequest__Output,
    _claudine_v1_CollectWorktreesResponse
  >;

  /**
   * Stops a worker taking new tasks (its running tasks go on); `undo` lets it take them again.
   * NOT_FOUND (WORKER_NOT_FOUND) for a worker the registry does not list.
   */
  DrainWorker: grpc.handleUnaryCall<
    _claudine_v1_DrainWorkerRequest__Output,
    _claudine_v1_DrainWorkerResponse
  >;

  /**
   * The audit trail of mutating calls, newest first. An admin token sees every tenant's (or one
   * tenant's, with tenant); any other token sees its own tenant's only.
   */
  ListAudit: grpc.handleUnaryCall<_claudine_v1_ListAuditRequest__Output, _claudine_v1_ListAuditResponse>;

  /**
   * Live workers, and dead ones (state `dead`) for a while after their heartbeat lapsed.
   */
  ListWorkers: grpc.handleUnaryCall<
    _claudine_v1_ListWorkersRequest__Output,
    _claudine_v1_ListWorkersResponse
  >;

  /**
   * The task worktrees each live worker keeps on its disk (as last reported by the worker).
   */
  ListWorktrees: grpc.handleUnaryCall<
    _claudine_v1_ListWorktreesRequest__Output,
    _claudine_v1_ListWorktreesResponse
  >;
}

export interface ClusterServiceDefinition extends grpc.ServiceDefinition {
  CollectWorktrees: MethodDefinition<
    _claudine_v1_CollectWorktreesRequest,
    _claudine_v1_CollectWorktreesResponse,
    _claudine_v1_CollectWorktreesRequest__Output,
    _claudine_v1_CollectWorktreesResponse__Output
  >;
  DrainWorker: MethodDefinition<
    _claudine_v1_DrainWorkerRequest,
    _claudine_v1_DrainWorkerResponse,
    _claudine_v1_DrainWorkerRequest__Output,
    _claudine_v1_DrainWorkerResponse__Output
  >;
  ListAudit: MethodDefinition<
    _claudine_v1_ListAuditRequest,
    _claudine_v1_ListAuditResponse,
    _claudine_v1_ListAuditRequest__Output,
    _claudine_v1_ListAuditResponse__Output
  >;
  ListWorkers: MethodDefinition<
    _claudine_v1_ListWorkersRequest,
    _claudine_v1_ListWorkersResponse,
    _claudine_v1_ListWorkersRequest__Output,
    _claudine_v1_ListWorkersResponse__Output
  >;
  ListWorktrees: MethodDefinition<
    _claudine_v1_ListWorktreesRequest,
    _claudine_v1_ListWorktreesResponse,
    _claudine_v1_ListWorktreesRequest__Output,
    _claudine_v1_ListWorktreesResponse__Output
  >;
}
