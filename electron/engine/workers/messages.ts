/** Messages from a pass worker to the session. */
import type { FrameBatch, ShardResult } from '../store/batch';
import type { TxShipment } from '../analysis/transaction-table';

export type WorkerMessage =
  | { readonly type: 'batch'; readonly batch: FrameBatch }
  | { readonly type: 'transactions'; readonly part: TxShipment }
  | { readonly type: 'done'; readonly result: ShardResult }
  | { readonly type: 'failed'; readonly message: string };
