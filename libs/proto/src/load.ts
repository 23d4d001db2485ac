import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import type { ProtoGrpcType } from './generated/tasks';

/** The folder holding `claudine/v1/*.proto`, the one definition of the API. */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');
export const PROTO_FILES = ['claudine/v1/tasks.proto'];

/** Must match the flags of tools/proto-gen.mjs, which generates the types from the same files. */
export const PROTO_LOADER_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

let cached: { packageDefinition: protoLoader.PackageDefinition; proto: ProtoGrpcType } | undefined;

/** Loads the API once per process. */
export function loadClaudineApi(): {
  packageDefinition: protoLoader.PackageDefinition;
  proto: ProtoGrpcType;
} {
  if (!cached) {
    const packageDefinition = protoLoader.loadSync(PROTO_FILES, PROTO_LOADER_OPTIONS);
    const proto = grpc.loadPackageDefinition(packageDefinition) as unknown as ProtoGrpcType;
    cached = { packageDefinition, proto };
  }
  return cached;
}

/** Turns on gRPC server reflection, so `grpcurl -plaintext host:port list` shows the services. */
export function addReflection(server: grpc.Server): void {
  new ReflectionService(loadClaudineApi().packageDefinition).addToServer(server);
}
