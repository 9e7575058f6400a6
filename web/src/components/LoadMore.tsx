import { Button, Group } from '@mantine/core';
import { t } from '../i18n';

/** The centred "Load more" under a paged list; nothing once the last page is loaded. */
export function LoadMore({
  query,
}: {
  query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage(): Promise<unknown> };
}) {
  if (!query.hasNextPage) return null;
  return (
    <Group justify="center">
      <Button variant="default" onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
        {t('common.loadMore')}
      </Button>
    </Group>
  );
}
