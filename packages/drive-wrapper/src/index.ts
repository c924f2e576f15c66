/// <reference path="../types/hyperdrive.d.ts" preserve="true" />
/// <reference path="../types/localdrive.d.ts" preserve="true" />
/// <reference path="../types/mirror-drive.d.ts" preserve="true" />
/// <reference path="../types/localwatch.d.ts" preserve="true" />
/// <reference path="../../bee-wrapper/types/hyperbee.d.ts" preserve="true" />
export {
  Drive,
  type DriveOptions,
  type DriveEvents,
  type DriveEntry,
  type DriveDiffEntry,
  type DriveWatcher,
  type DriveReadStream,
  type DriveWriteStream,
  type ListOptions,
  type PutOptions,
  type ReadStreamOptions,
} from './drive.js'
export { Drive as default } from './drive.js'
export { DriveDownload, type DownloadProgress } from './transfer.js'
export type {
  FolderSync,
  FolderSyncEvents,
  SyncFolderOptions,
  SyncProgress,
  SyncResult,
  SyncDirection,
  FileSyncError,
} from './folder-sync.js'
export type { default as Hyperdrive } from 'hyperdrive'
export type {
  Peer,
  Extension,
  ExtensionHandlers,
  TransferStats,
  ConnectionTransfer,
} from '@dat-sdk/core-wrapper'
