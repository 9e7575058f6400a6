import { describe, expect, it } from 'vitest';
import { BLOCK_REASON_LABELS, STATUS_TABLE } from '../src/core/status/index.js';
import { ELIGIBILITY } from '../src/modules/send/send.groups.js';
import { en } from '../web/src/i18n/en.js';
import { t } from '../web/src/i18n/index.js';

describe('the web app strings', () => {
  it('name every status and block reason as the server does', () => {
    for (const [status, info] of Object.entries(STATUS_TABLE)) {
      expect(en[`status.${status}` as keyof typeof en], status).toBe(info.label);
    }
    for (const [reason, label] of Object.entries(BLOCK_REASON_LABELS)) {
      expect(en[`reason.${reason}` as keyof typeof en], reason).toBe(label);
    }
  });

  it('have a label for every receiver-list eligibility', () => {
    for (const e of ELIGIBILITY) expect(en[`eligibility.${e}` as keyof typeof en], e).toBeTruthy();
  });

  it('fill placeholders and leave template variables alone', () => {
    expect(t('center.result', { queued: 2, scheduled: 0, blocked: 1 })).toBe(
      'Sent: 2 queued, 0 scheduled, 1 blocked.',
    );
    expect(t('compose.messageHelp')).toContain('{{contact.first_name}}');
    expect(t('counter.replace', { from: '’', to: "'" })).toBe("Replace ’ with '");
  });
});
