/** Strings of the Inbound screen. */
export const inbound = {
  'nav.inbound': 'Received SMS',

  'inbound.title': 'Received SMS',
  'inbound.intro':
    'Messages people sent to your numbers, with the contact they came from and what their keyword did.',
  'inbound.number': 'Phone number',
  'inbound.keyword': 'Keyword',
  'inbound.keyword.any': 'Any keyword',
  'inbound.keyword.none': 'No keyword',
  'inbound.col.receivedAt': 'Received',
  'inbound.col.from': 'From',
  'inbound.col.to': 'To',
  'inbound.col.text': 'Text',
  'inbound.col.keyword': 'Keyword effect',
  'inbound.col.orgUnit': 'Org. unit',
  'inbound.unknownSender': 'Not a contact',
  'inbound.replySent': 'Reply sent',

  'keyword.opt_out': 'STOP (opt-out)',
  'keyword.opt_in': 'START (opt-in)',
  'keyword.opt_in_if_opted_out': 'Opt-in after STOP',
  'keyword.help': 'HELP',

  'effect.opted_out': 'Opted out',
  'effect.already_opted_out': 'Was already opted out',
  'effect.opted_in': 'Opted in',
  'effect.already_opted_in': 'Was already opted in',
  'effect.not_opted_out': 'Not opted out: nothing changed',
  'effect.help_sent': 'Help text sent',
  'effect.no_number': 'Sender number unreadable: nothing changed',
  'effect.help_throttled': 'Help text not sent again so soon',
} as const;
