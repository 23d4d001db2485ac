// Original file: proto/claudine/v1/tasks.proto

import type * as grpc from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import type {
  ListWorkersRequest as _claudine_v1_ListWorkersRequest,
  ListWorkersRequest__Output as _claudine_v1_ListWorkersRequest__Output,
} from '../../claudine/v1/ListWorkersRequest';
import type {
  ListWorkersResponse as _claudine_v1_ListWorkersResponse,
  ListWorkersResponse__Output as _claudine_v1_ListWorkersResponse__Output,
} from '../../claudine/v1/ListWorkersResponse';

/**
 * The cluster: which workers are alive and what they run.
 */
export interface ClusterServiceClient extends grpc.Client {
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
}

/**
 * The cluster: which workers are alive and what they run.
 */
export interface ClusterServiceHandlers extends grpc.UntypedServiceImplementation {
  ListWorkers: grpc.handleUnaryCall<
    _claudine_v1_ListWorkersRequest__Output,
    _claudine_v1_ListWorkersResponse
  >;
}

export interface ClusterServiceDefinition extends grpc.ServiceDefinition {
  ListWorkers: MethodDefinition<
    _claudine_v1_ListWorkersRequest,
    _claudine_v1_ListWorkersResponse,
    _claudine_v1_ListWorkersRequest__Output,
    _claudine_v1_ListWorkersResponse__Output
  >;
}
