// Original file: proto/claudine/v1/tasks.proto

export interface ListWorkersRequest {}

export interface ListWorkersRequest__Output {}
