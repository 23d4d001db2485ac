// The gRPC client lives in @claudine/proto, shared with the MCP gateway; the CLI's modules keep
// importing it from here.
export {
  channelCredentials,
  ClusterClient,
  DEFAULT_ADDRESS,
  fromGrpcError,
  type CollectWorktreesInput,
  type ConnectOptions,
  type WorktreeCollection,
  type WorktreeInfo,
  type WorktreeListing,
} from '@claudine/proto';
