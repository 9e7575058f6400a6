/**
 * The durable record of `batch.completed`: written once, when the last message of a batch became final.
 * `event_id` is a UUIDv7 like `message_events.id`, so the live stream orders and resumes both together.
 */
export interface BatchCompletionTable {
  event_id: string;
  batch_id: string;
  org_unit_id: string;
  completed_at: string;
}
