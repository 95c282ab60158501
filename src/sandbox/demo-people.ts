/**
 * The people of the sandbox's demo company, and its finance channel: light enough to load before
 * the bot, so the page is served while the bot starts.
 */
import type { Role } from '../db/schema.ts';
import type { WorkspaceUser } from './web-api.ts';

export const FINANCE_CHANNEL = 'C0FINANCE';

export interface DemoPerson extends WorkspaceUser {
  realName: string;
  email: string;
  tz: string;
  role: Role;
  managerId?: string;
}

export const MANAGER = 'U0SAMRIVERA';
export const REP_NY = 'U0MAYACHEN';
export const REP_LONDON = 'U0TOMBECKER';
export const REP_SYDNEY = 'U0PRIYANAIR';
export const AR_LEAD = 'U0AMYORTIZ';
export const AR_CLERK = 'U0LEOGRANT';

export const DEMO_PEOPLE: readonly DemoPerson[] = [
  {
    id: REP_NY,
    realName: 'Maya Chen',
    title: 'Account Executive',
    email: 'maya@demo.example',
    tz: 'America/New_York',
    role: 'rep',
    managerId: MANAGER,
  },
  {
    id: REP_LONDON,
    realName: 'Tom Becker',
    title: 'Account Executive',
    email: 'tom@demo.example',
    tz: 'Europe/London',
    role: 'rep',
    managerId: MANAGER,
  },
  {
    id: REP_SYDNEY,
    realName: 'Priya Nair',
    title: 'Account Executive',
    email: 'priya@demo.example',
    tz: 'Australia/Sydney',
    role: 'rep',
    managerId: MANAGER,
  },
  {
    id: AR_LEAD,
    realName: 'Amy Ortiz',
    title: 'AR Lead',
    email: 'amy@demo.example',
    tz: 'America/Chicago',
    role: 'ar',
  },
  {
    id: AR_CLERK,
    realName: 'Leo Grant',
    title: 'AR Specialist',
    email: 'leo@demo.example',
    tz: 'Europe/Berlin',
    role: 'ar',
  },
  {
    id: MANAGER,
    realName: 'Sam Rivera',
    title: 'VP Sales',
    email: 'sam@demo.example',
    tz: 'America/Los_Angeles',
    role: 'manager',
    isAdmin: true,
    isOwner: true,
  },
];

export const AR_IDS = DEMO_PEOPLE.filter((p) => p.role === 'ar').map((p) => p.id);
