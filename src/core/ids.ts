import { v7 } from 'uuid';

/** Time-ordered ids (UUIDv7): unique across processes and sortable, so keyset pagination can use them. */
export const newId = (): string => v7();
