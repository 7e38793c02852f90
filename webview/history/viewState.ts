import type { HistoryFilters } from '../lib/history/query';

/** What a hidden History tab keeps: its filters. The rows are read again from the hub. */
export interface HistoryViewState {
  filters: HistoryFilters;
}
