import { z } from '@hono/zod-openapi';

const isoDateTime = z.iso.datetime({ offset: true });

export const StatsQuerySchema = z.object({
  from: isoDateTime.openapi({ description: 'Start of the period (inclusive), ISO-8601 date-time.' }),
  to: isoDateTime.openapi({ description: 'End of the period (exclusive), ISO-8601 date-time.' }),
  orgUnitId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: 'Only this org unit (one you see).' }),
  gatewayId: z
    .string()
    .min(1)
    .max(64)
    .optional()
    .openapi({ description: 'Only messages sent through this gateway account.' }),
  tzOffsetMinutes: z.coerce.number().int().min(-840).max(840).default(0).openapi({
    description:
      "The viewer's offset from UTC in minutes (e.g. 60 for UTC+1): days are counted in it. Default 0 (UTC days).",
  }),
});

const CostSchema = z.object({
  amount: z
    .number()
    .openapi({ description: 'In minor units of the currency (cents), like the gateway price per part.' }),
  currency: z.string(),
});

const FiguresShape = {
  messages: z.number().int(),
  delivered: z.number().int(),
  notDelivered: z
    .number()
    .int()
    .openapi({ description: 'undelivered, rejected, failed, status_timeout, expired' }),
  blocked: z.number().int(),
  pending: z.number().int().openapi({ description: 'scheduled, queued, sending, unknown, accepted, sent' }),
  deliveryRate: z
    .number()
    .nullable()
    .openapi({ description: 'delivered / (delivered + notDelivered); null when none is final' }),
  partsUsed: z.number().int().openapi({
    description: 'Parts of messages a gateway took (accepted, sent, delivered, undelivered, status_timeout)',
  }),
  cost: z.array(CostSchema),
};

export const StatsFiguresSchema = z.object(FiguresShape).openapi('StatsFigures');

export const MessageStatsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    tzOffsetMinutes: z.number().int(),
    totals: StatsFiguresSchema,
    days: z.array(
      z.object({
        day: z.string().openapi({ example: '2026-11-22' }),
        ...FiguresShape,
        byStatus: z.record(z.string(), z.number().int()),
      }),
    ),
    orgUnits: z.array(z.object({ orgUnitId: z.string(), ...FiguresShape })),
    gateways: z.array(
      z.object({ gatewayId: z.string().nullable(), name: z.string().nullable(), ...FiguresShape }),
    ),
  })
  .openapi('MessageStats');
