/** A delivery report that arrived before its message's gateway id was stored (see applyEarlyReports). */
export interface EarlyReportTable {
  id: string;
  provider_account_id: string;
  /** Normalised with normalizeGatewayId. */
  gateway_id: string;
  /** 1-based part number; 0 when the report is about the whole message. */
  part: number;
  status: string;
  error_code: string | null;
  /** When the gateway says it happened. */
  reported_at: string | null;
  received_at: string;
}

/** The last status each part of a multi-part message was reported in. */
export interface MessagePartReportTable {
  message_id: string;
  part: number;
  status: string;
  error_code: string | null;
  reported_at: string | null;
  updated_at: string;
}

/** The gateway id of one part, for gateways that return an id per part (see SendOutcome.partIds). */
export interface MessagePartIdTable {
  provider_account_id: string;
  /** Normalised with normalizeGatewayId. */
  gateway_id: string;
  message_id: string;
  /** 1-based part number. */
  part: number;
  created_at: string;
}

/** A delivery report already processed (applied or kept), so one posted again is processed once. */
export interface ReportReceiptTable {
  provider_account_id: string;
  /** SHA-256 (hex) of the report's normalised fields. */
  digest: string;
  received_at: string;
}
