export { repositoryDefaults } from './repository-defaults';
export { runMcpGateway } from './run-mcp-gateway';
export type { McpGateway, McpGatewayOptions } from './run-mcp-gateway';
