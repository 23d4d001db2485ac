export { ClusterClient, DEFAULT_ADDRESS, fromGrpcError } from './client/cluster-client';
export { startLocalCluster } from './local-cluster/local-cluster';
export type { LocalCluster, LocalClusterOptions } from './local-cluster/local-cluster';
