// Original file: proto/claudine/v1/tasks.proto

import type {
  AuditEntry as _claudine_v1_AuditEntry,
  AuditEntry__Output as _claudine_v1_AuditEntry__Output,
} from '../../claudine/v1/AuditEntry';

export interface ListAuditResponse {
  entries?: _claudine_v1_AuditEntry[];
}

export interface ListAuditResponse__Output {
  entries: _claudine_v1_AuditEntry__Output[];
}
