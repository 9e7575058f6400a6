export const MESSAGE_CATEGORIES = ['transactional', 'marketing'] as const;
export type MessageCategory = (typeof MESSAGE_CATEGORIES)[number];

export interface TemplateTable {
  id: string;
  org_unit_id: string;
  name: string;
  category: MessageCategory;
  body: string;
  /** JSON array of the variables the body uses. */
  variables: string;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}
