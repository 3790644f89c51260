// A person's own profile, as the "Your details" page shows it: only the viewer's row and the
// name of their manager, nothing about anyone else.
import type { Kysely } from "kysely";
import type { DB, UserType } from "../../db/schema";

export interface Profile {
  name: string;
  email: string;
  department: string | null;
  title: string | null;
  employeeId: string | null;
  type: UserType;
  startDate: string;
  managerName: string | null;
}

export async function getOwnProfile(db: Kysely<DB>, userId: string): Promise<Profile | null> {
  const row = await db
    .selectFrom("users as u")
    .leftJoin("users as m", "m.id", "u.manager_id")
    .select([
      "u.name",
      "u.email",
      "u.department",
      "u.title",
      "u.employee_id",
      "u.type",
      "u.start_date",
      "m.name as manager_name",
    ])
    .where("u.id", "=", userId)
    .executeTakeFirst();
  if (!row) return null;
  return {
    name: row.name,
    email: row.email,
    department: row.department,
    title: row.title,
    employeeId: row.employee_id,
    type: row.type,
    startDate: row.start_date,
    managerName: row.manager_name,
  };
}
