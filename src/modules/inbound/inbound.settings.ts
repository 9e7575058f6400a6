import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import type { Database } from '../../db/database.js';
import { requirePermission } from '../auth/auth.guard.js';
import type { Principal } from '../auth/auth.permissions.js';
import { findOrgUnit } from '../org-units/org-units.repository.js';
import {
  effectiveKeywordSettings,
  type KeywordOverrides,
  type KeywordSettings,
  keywordConflicts,
} from './inbound.keywords.js';
import { keywordOverrides, saveKeywordOverrides } from './inbound.repository.js';
import type { PutKeywordSettings } from './inbound.schemas.js';

export interface KeywordSettingsView {
  orgUnitId: string;
  language: KeywordSettings['language'];
  keywords: { optOut: string[]; optIn: string[]; optInIfOptedOut: string[]; help: string[] };
  replies: KeywordSettings['replies'];
  customized: boolean;
  updatedAt: string | null;
}

async function visibleUnit(db: Kysely<Database>, principal: Principal, id: string) {
  const unit = await findOrgUnit(db, principal.orgScope, id);
  if (!unit) throw new AppError('org_unit.not_found', 'No such org unit.', { id });
  return unit;
}

/** The unit's keyword lists and reply texts: its own values over the defaults of its language. */
export async function getKeywordSettings({
  db,
  principal,
  orgUnitId,
}: {
  db: Kysely<Database>;
  principal: Principal;
  orgUnitId: string;
}): Promise<KeywordSettingsView> {
  requirePermission(principal, 'org_units.read');
  const unit = await visibleUnit(db, principal, orgUnitId);
  const stored = await keywordOverrides(db, unit.id);
  const e = effectiveKeywordSettings(unit.default_region, stored?.overrides ?? null);
  return {
    orgUnitId: unit.id,
    language: e.language,
    keywords: {
      optOut: [...e.keywords.optOut],
      optIn: [...e.keywords.optIn],
      optInIfOptedOut: [...e.keywords.optInIfOptedOut],
      help: [...e.keywords.help],
    },
    replies: e.replies,
    customized: stored !== null && Object.keys(stored.overrides).length > 0,
    updatedAt: stored?.updatedAt ?? null,
  };
}

/**
 * Replaces the unit's own keyword settings (fields left out go back to the language's defaults).
 * Keywords are refused when one folds to the same form in two lists (the text could not say which
 * action it asks for) or to nothing. Needs `org_units.manage` and a visible unit.
 */
export async function putKeywordSettings({
  db,
  clock,
  principal,
  orgUnitId,
  input,
}: {
  db: Kysely<Database>;
  clock: Clock;
  principal: Principal;
  orgUnitId: string;
  input: PutKeywordSettings;
}): Promise<KeywordSettingsView> {
  requirePermission(principal, 'org_units.manage');
  const unit = await visibleUnit(db, principal, orgUnitId);
  const overrides: KeywordOverrides = {
    ...(input.language ? { language: input.language } : {}),
    ...(input.keywords && Object.keys(input.keywords).length > 0 ? { keywords: input.keywords } : {}),
    ...(input.replies && Object.keys(input.replies).length > 0 ? { replies: input.replies } : {}),
  };
  const effective = effectiveKeywordSettings(unit.default_region, overrides);
  const problems = keywordConflicts(effective.keywords);
  if (problems.length > 0) {
    throw new AppError('validation.failed', problems[0]!, {
      issues: problems.map((message) => ({ path: ['keywords'], message })),
    });
  }
  await saveKeywordOverrides(db, unit.id, overrides, principal.id, clock.now().toISOString());
  return getKeywordSettings({ db, principal, orgUnitId });
}
