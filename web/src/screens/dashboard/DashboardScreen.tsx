import '@mantine/charts/styles.css';
import { BarChart, LineChart } from '@mantine/charts';
import {
  Group,
  Paper,
  SegmentedControl,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { DatePickerInput } from '@mantine/dates';
import { useMediaQuery } from '@mantine/hooks';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api, must, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { formatMoney, formatNumber, t } from '../../i18n';
import { LoadError, ScreenHeader, ScreenLoading } from '../../shell/ScreenState';

type Stats = Schemas['MessageStats'];
type Figures = Schemas['StatsFigures'];
type Preset = '7' | '30' | '90' | 'custom';

const SERIES = [
  { name: 'delivered', color: 'green.6', label: t('dashboard.series.delivered') },
  { name: 'notDelivered', color: 'red.6', label: t('dashboard.series.notDelivered') },
  { name: 'blocked', color: 'grape.5', label: t('dashboard.series.blocked') },
  { name: 'pending', color: 'gray.5', label: t('dashboard.series.pending') },
];

/** `YYYY-MM-DD` of a local date. */
const ymd = (d: Date) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
/** Local midnight of a `YYYY-MM-DD` day, as an ISO instant. */
const startOfDay = (day: string) => new Date(`${day}T00:00:00`).toISOString();
const nextDay = (day: string) => {
  const d = new Date(`${day}T00:00:00`);
  d.setDate(d.getDate() + 1);
  return ymd(d);
};

/** [first day, last day] of a preset period ending today. */
function presetRange(days: number): [string, string] {
  const end = new Date();
  const start = new Date();
  start.setDate(start.getDate() - (days - 1));
  return [ymd(start), ymd(end)];
}

const pct = (r: number | null) => (r === null ? t('common.none') : `${(r * 100).toFixed(1)} %`);
const money = (cost: Figures['cost']) =>
  cost.length ? cost.map((c) => formatMoney(c.amount, c.currency)).join(' + ') : t('dashboard.noCost');

function Stat({
  label,
  value,
  help,
  testId,
}: {
  label: string;
  value: string;
  help?: string;
  testId: string;
}) {
  return (
    <Paper withBorder p="md" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={700}>
        {label}
      </Text>
      <Text fz={26} fw={700}>
        {value}
      </Text>
      {help && (
        <Text size="xs" c="dimmed">
          {help}
        </Text>
      )}
    </Paper>
  );
}

/** Figures per org unit or gateway, as a bar chart and a table (the table is the accessible form). */
function Breakdown({
  title,
  rows,
  testId,
}: {
  title: string;
  rows: (Figures & { name: string })[];
  testId: string;
}) {
  return (
    <Paper withBorder p="md" data-testid={testId}>
      <Title order={3} size="h5" mb="sm">
        {title}
      </Title>
      {rows.length > 0 && (
        <BarChart
          h={Math.max(120, rows.length * 48)}
          data={rows}
          dataKey="name"
          type="stacked"
          orientation="vertical"
          series={SERIES}
          yAxisProps={{ width: 120 }}
          aria-hidden
        />
      )}
      <Table.ScrollContainer minWidth={520} mt="sm">
        <Table fz="sm" aria-label={title}>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('dashboard.col.name')}</Table.Th>
              <Table.Th ta="right">{t('dashboard.messages')}</Table.Th>
              <Table.Th ta="right">{t('dashboard.deliveryRate')}</Table.Th>
              <Table.Th ta="right">{t('dashboard.partsUsed')}</Table.Th>
              <Table.Th ta="right">{t('dashboard.cost')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={r.name}>
                <Table.Td>{r.name}</Table.Td>
                <Table.Td ta="right">{formatNumber(r.messages)}</Table.Td>
                <Table.Td ta="right">{pct(r.deliveryRate)}</Table.Td>
                <Table.Td ta="right">{formatNumber(r.partsUsed)}</Table.Td>
                <Table.Td ta="right">{money(r.cost)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}

/** Dashboard: messages per day by status, delivery rate, parts and cost, per org unit and gateway. */
export default function DashboardScreen() {
  const session = useSession();
  const narrow = useMediaQuery('(max-width: 36em)');
  const [preset, setPreset] = useState<Preset>('30');
  const [custom, setCustom] = useState<[string | null, string | null]>(presetRange(30));
  const [orgUnitId, setOrgUnitId] = useState<string>('');
  const [gatewayId, setGatewayId] = useState<string>('');
  const range = preset === 'custom' ? custom : presetRange(Number(preset));
  const [first, last] = range;
  const stats = useQuery({
    queryKey: ['stats', 'messages', first, last, orgUnitId, gatewayId],
    queryFn: () =>
      must(
        api.GET('/api/stats/messages', {
          params: {
            query: {
              from: startOfDay(first!),
              to: startOfDay(nextDay(last!)),
              tzOffsetMinutes: -new Date(`${first}T12:00:00`).getTimezoneOffset(),
              ...(orgUnitId ? { orgUnitId } : {}),
              ...(gatewayId ? { gatewayId } : {}),
            },
          },
        }),
      ),
    enabled: !!first && !!last,
    placeholderData: keepPreviousData,
  });
  const s: Stats | undefined = stats.data;
  // Gateways to filter by: those the period's figures name (no gateway permission needed to read them).
  const [knownGateways, setKnownGateways] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!s) return;
    const found = Object.fromEntries(
      s.gateways.filter((g) => g.gatewayId).map((g) => [g.gatewayId!, g.name ?? g.gatewayId!]),
    );
    setKnownGateways((k) => (Object.keys(found).every((id) => k[id]) ? k : { ...k, ...found }));
  }, [s]);

  const days = (s?.days ?? []).map((d) => ({
    ...d,
    day: new Date(`${d.day}T12:00:00`).toLocaleDateString(undefined, { month: 'short', day: 'numeric' }),
    rate: d.deliveryRate === null ? null : Math.round(d.deliveryRate * 1000) / 10,
  }));

  return (
    <Stack gap="md">
      <ScreenHeader title={t('dashboard.title')} intro={t('dashboard.intro')} />
      <Group gap="sm" align="flex-end">
        <div>
          <Text size="sm" fw={500} mb={2} id="dashboard-period">
            {t('dashboard.period')}
          </Text>
          <SegmentedControl
            aria-labelledby="dashboard-period"
            orientation={narrow ? 'vertical' : 'horizontal'}
            value={preset}
            onChange={(v) => setPreset(v as Preset)}
            data={(['7', '30', '90', 'custom'] as const).map((p) => ({
              value: p,
              label: t(`dashboard.period.${p}`),
            }))}
          />
        </div>
        {preset === 'custom' && (
          <DatePickerInput
            type="range"
            label={t('dashboard.range')}
            value={custom}
            onChange={(v) => setCustom(v as [string | null, string | null])}
            allowSingleDateInRange
            maxDate={ymd(new Date())}
            w={260}
          />
        )}
        <Select
          label={t('dashboard.orgUnit')}
          data={[
            { value: '', label: t('dashboard.allOrgUnits') },
            ...session.orgUnits.map((u) => ({ value: u.id, label: u.name })),
          ]}
          value={orgUnitId}
          onChange={(v) => setOrgUnitId(v ?? '')}
          allowDeselect={false}
          w={{ base: '100%', xs: 220 }}
        />
        <Select
          label={t('dashboard.gateway')}
          data={[
            { value: '', label: t('dashboard.allGateways') },
            ...Object.entries(knownGateways).map(([value, label]) => ({ value, label })),
          ]}
          value={gatewayId}
          onChange={(v) => setGatewayId(v ?? '')}
          allowDeselect={false}
          w={{ base: '100%', xs: 220 }}
        />
        {stats.isFetching && s && (
          <Text size="sm" c="dimmed" role="status">
            {t('dashboard.updating')}
          </Text>
        )}
      </Group>
      {stats.isPending && <ScreenLoading />}
      {stats.error && <LoadError error={stats.error} onRetry={() => void stats.refetch()} />}
      {s && (
        <>
          <SimpleGrid cols={{ base: 2, md: 4 }}>
            <Stat
              testId="stat-messages"
              label={t('dashboard.messages')}
              value={formatNumber(s.totals.messages)}
            />
            <Stat
              testId="stat-rate"
              label={t('dashboard.deliveryRate')}
              value={pct(s.totals.deliveryRate)}
              help={t('dashboard.deliveryRateHelp')}
            />
            <Stat
              testId="stat-parts"
              label={t('dashboard.partsUsed')}
              value={formatNumber(s.totals.partsUsed)}
            />
            <Stat testId="stat-cost" label={t('dashboard.cost')} value={money(s.totals.cost)} />
          </SimpleGrid>
          {s.totals.messages === 0 && <Text c="dimmed">{t('dashboard.empty')}</Text>}
          <Paper withBorder p="md" data-testid="chart-per-day">
            <Title order={3} size="h5" mb="sm">
              {t('dashboard.perDay')}
            </Title>
            <BarChart
              h={280}
              data={days}
              dataKey="day"
              type="stacked"
              series={SERIES}
              withLegend
              aria-hidden
            />
            <VisuallyHidden>
              <Table aria-label={`${t('dashboard.perDay')} – ${t('dashboard.chartData')}`}>
                <Table.Tbody>
                  {s.days.map((d) => (
                    <Table.Tr key={d.day}>
                      <Table.Td>{d.day}</Table.Td>
                      {SERIES.map((x) => (
                        <Table.Td key={x.name}>
                          {x.label}: {d[x.name as 'delivered']}
                        </Table.Td>
                      ))}
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </VisuallyHidden>
          </Paper>
          <Paper withBorder p="md" data-testid="chart-rate">
            <Title order={3} size="h5" mb="sm">
              {t('dashboard.ratePerDay')}
            </Title>
            <LineChart
              h={200}
              data={days}
              dataKey="day"
              series={[{ name: 'rate', color: 'indigo.6', label: t('dashboard.deliveryRate') }]}
              unit=" %"
              yAxisProps={{ domain: [0, 100] }}
              connectNulls
              aria-hidden
            />
          </Paper>
          <SimpleGrid cols={{ base: 1, xl: 2 }}>
            <Breakdown
              testId="per-org-unit"
              title={t('dashboard.perOrgUnit')}
              rows={s.orgUnits.map((u) => ({ ...u, name: session.orgUnitName(u.orgUnitId) }))}
            />
            <Breakdown
              testId="per-gateway"
              title={t('dashboard.perGateway')}
              rows={s.gateways.map((g) => ({ ...g, name: g.name ?? t('dashboard.noGateway') }))}
            />
          </SimpleGrid>
        </>
      )}
    </Stack>
  );
}
