import { useMediaQuery } from '@mantine/hooks';
import { MessageCards } from './MessageCards';
import { MessagesTable } from './MessagesTable';

type Props = Parameters<typeof MessagesTable>[0];

/** The table from tablet width up, cards on a phone. */
export function MessageList(p: Props) {
  const phone = useMediaQuery('(max-width: 48em)', false, { getInitialValueInEffect: false });
  return phone ? <MessageCards {...p} /> : <MessagesTable {...p} />;
}
