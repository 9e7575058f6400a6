import { useMemo } from 'react';
import { type OrgUnit, useSession } from '../../auth/session';
import { t } from '../../i18n';

/** The owner select's value for something shared (`orgUnitId: null`). */
export const SHARED = 'shared';

/** Owner of a gateway account or sender configuration: `null` = shared, else the owning unit's id. */
export type Owner = string | null;

export const ownerValue = (owner: Owner) => owner ?? SHARED;
export const ownerOfValue = (value: string): Owner => (value === SHARED ? null : value);

/** A unit and the units above it that the browser knows of (an SMS manager does not see units above theirs). */
function knownSelfAndAncestors(unitId: string, units: readonly OrgUnit[]): Set<string> {
  const parent = new Map(units.map((u) => [u.id, u.parentId]));
  const out = new Set<string>();
  for (let id: string | null | undefined = unitId; id && !out.has(id); id = parent.get(id)) out.add(id);
  return out;
}

/**
 * Who may change what, mirroring the server's rule (src/modules/gateways/gateways.ownership.ts
 * `managesOwner`): `gateways.manage` and either every unit (a system manager) or the owning unit among
 * the user's units (`me.orgUnits`: their units and the units below). Shared things are the system
 * managers'. The server still decides; this only keeps the browser from offering what it would refuse.
 */
export function useOwnership() {
  const session = useSession();
  const { me, orgUnits, currentOrgUnit } = session;
  return useMemo(() => {
    const mayManage = me.permissions.includes('gateways.manage');
    const seesAll = me.orgUnits === 'all';
    const mine = new Set(me.orgUnits === 'all' ? [] : me.orgUnits);
    const manages = (owner: Owner) => mayManage && (seesAll || (owner !== null && mine.has(owner)));
    const manageableUnits = orgUnits.filter((u) => manages(u.id));
    /** New things belong to the unit chosen in the header when the user manages it. */
    const defaultOwner: string =
      currentOrgUnit && manages(currentOrgUnit.id)
        ? currentOrgUnit.id
        : seesAll
          ? SHARED
          : (manageableUnits[0]?.id ?? '');
    /**
     * The owner select's options; `current` (the owner of what is edited) stays selectable, so a form
     * never shows an owner that is not among its options.
     */
    const ownerOptions = (current?: string) => [
      ...(seesAll || current === SHARED ? [{ value: SHARED, label: t('gatewayForm.shared') }] : []),
      ...manageableUnits.map((u) => ({ value: u.id, label: u.name })),
      ...(current && current !== SHARED && !manageableUnits.some((u) => u.id === current)
        ? [{ value: current, label: session.orgUnitName(current) }]
        : []),
    ];
    /**
     * Whether something of `user` (a sender configuration's owner) may use a gateway of `owner`: shared
     * gateways by everyone; a unit's gateways by that unit and the units below it; something shared
     * only shared gateways. A gateway of a unit the browser does not know (above the user's units) is
     * let through: the server decides and its answer shows in the form.
     */
    const usableBy = (owner: Owner, user: Owner) => {
      if (owner === null) return true;
      if (user === null) return false;
      if (!orgUnits.some((u) => u.id === owner)) return true;
      return knownSelfAndAncestors(user, orgUnits).has(owner);
    };
    // A unit above the user's is not among the units the browser knows, so it has no name here.
    const ownerLabel = (owner: Owner) =>
      owner === null
        ? t('gatewayForm.shared')
        : orgUnits.some((u) => u.id === owner)
          ? session.orgUnitName(owner)
          : t('gateways.ownerAbove');
    return { manages, defaultOwner, ownerOptions, usableBy, ownerLabel };
  }, [me, orgUnits, currentOrgUnit, session]);
}
