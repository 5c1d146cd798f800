// Company users of the console: who they are (email, role), their passwords, and invites. An email
// names one user in all of edgeref (unique across companies), so signing in needs no company.
// Roles: `owner` (everything, and the users and invites), `admin` (everything else), `viewer`
// (reads only). Invites are one-time links: a 256-bit token, stored as SHA-256, valid 7 days,
// consumed by one conditional update in the same batch that creates the user.
import { z } from "@hono/zod-openapi";
import { and, asc, eq, gt, isNull } from "drizzle-orm";
import type { Stores } from "../companies/service";
import { database, isUniqueViolation } from "../db/client";
import { type UserRole, userInvites, users } from "../db/schema";
import { problems } from "../lib/errors";
import { newId, sqlId } from "../lib/ids";
import { randomToken, TOKEN_SHAPE, tokenHash } from "../lib/tokens";
import { email as emailRule, parseInput } from "../lib/validation";
import { hashPassword, spendVerificationTime, verifyPassword } from "./passwords";

export type User = typeof users.$inferSelect;
export type UserInvite = typeof userInvites.$inferSelect;

export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;
export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 200;

/** A password a user chooses: long enough to resist guessing, short enough to hash cheaply. */
export const newPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(MAX_PASSWORD_LENGTH, `must be at most ${MAX_PASSWORD_LENGTH} characters`);

const NewUserInput = z.object({
  email: emailRule,
  role: z.enum(["owner", "admin", "viewer"]),
  password: newPassword,
});

/** Whether the role may change anything (viewers read only). */
export const canWrite = (role: UserRole) => role !== "viewer";
/** Whether the role manages users and invites. */
export const canManageUsers = (role: UserRole) => role === "owner";

const emailTaken = () => problems.validation([{ field: "email", message: "already has a console account" }]);

/** Creates a user (company:create's owner, the demo's); `email` and `password` are checked here. */
export async function createUser(env: Stores, companyId: string, input: z.input<typeof NewUserInput>) {
  const data = parseInput(NewUserInput, input);
  const now = Date.now();
  const id = newId("user", now);
  try {
    await database(env.DB)
      .insert(users)
      .values({
        id,
        companyId,
        email: data.email,
        role: data.role,
        passwordHash: await hashPassword(data.password),
        createdAt: now,
        updatedAt: now,
      });
  } catch (error) {
    if (isUniqueViolation(error, "users.email")) throw emailTaken();
    throw error;
  }
  return getUser(env, companyId, id);
}

/** Whether an email already has a console account (in any company). */
export async function isEmailTaken(env: Stores, email: string): Promise<boolean> {
  const row = await database(env.DB).query.users.findFirst({
    columns: { id: true },
    where: eq(users.email, email.trim().toLowerCase()),
  });
  return row !== undefined;
}

export async function getUser(env: Stores, companyId: string, userId: string) {
  const user = await database(env.DB).query.users.findFirst({
    where: and(eq(users.id, userId), eq(users.companyId, companyId)),
  });
  if (!user) throw problems.notFound("user", userId);
  return user;
}

/** The user a session names, or null once the user was removed. */
export async function findUser(env: Stores, companyId: string, userId: string): Promise<User | null> {
  return (await getUser(env, companyId, userId).catch(() => null)) ?? null;
}

export async function listUsers(env: Stores, companyId: string) {
  return database(env.DB).query.users.findMany({ where: eq(users.companyId, companyId), orderBy: asc(users.id) });
}

/**
 * The user with this email and password, or null — the same null, after the same work, whether the
 * email is unknown or the password wrong, so neither the answer nor its timing tells which.
 */
export async function authenticateUser(env: Stores, email: string, password: string): Promise<User | null> {
  const user = await database(env.DB).query.users.findFirst({ where: eq(users.email, email.trim().toLowerCase()) });
  if (!user) {
    await spendVerificationTime(password);
    return null;
  }
  return (await verifyPassword(password, user.passwordHash)) ? user : null;
}

/**
 * Removes a user of the company (their sessions stop at their next request: a session whose user is
 * gone signs nobody in). Nobody removes themselves, and the last owner stays.
 */
export async function removeUser(env: Stores, companyId: string, userId: string, actingUserId: string) {
  const user = await getUser(env, companyId, userId);
  if (user.id === actingUserId) {
    throw problems.validation([{ field: "user_id", message: "you cannot remove yourself" }]);
  }
  // Checked inside the delete: two owners removing each other at once cannot leave none.
  const removed = await env.DB.prepare(
    `DELETE FROM users WHERE id = ?1 AND company_id = ?2
       AND (role <> 'owner' OR (SELECT count(*) FROM users WHERE company_id = ?2 AND role = 'owner') > 1)`,
  )
    .bind(userId, companyId)
    .run();
  if (removed.meta.changes === 0) {
    throw problems.validation([{ field: "user_id", message: "the company's last owner cannot be removed" }]);
  }
  return user;
}

// Invites ------------------------------------------------------------------------------------

/** An invite's input (the console's invite form is checked with it too). */
export const InviteInput = z.object({ email: emailRule, role: z.enum(["owner", "admin", "viewer"]) });

/**
 * Invites `email` into the company with `role`: answers the invite and its one-time token (shown
 * once: only its SHA-256 is stored). A newer invite to the same email replaces a pending one.
 */
export async function createInvite(
  env: Stores,
  companyId: string,
  invitedBy: string,
  input: z.input<typeof InviteInput>,
) {
  const data = parseInput(InviteInput, input);
  if (await isEmailTaken(env, data.email)) throw emailTaken();
  const now = Date.now();
  const token = randomToken();
  const id = newId("userInvite", now);
  const db = database(env.DB);
  await db.batch([
    db
      .update(userInvites)
      .set({ revokedAt: now })
      .where(
        and(
          eq(userInvites.companyId, companyId),
          eq(userInvites.email, data.email),
          isNull(userInvites.acceptedAt),
          isNull(userInvites.revokedAt),
        ),
      ),
    db.insert(userInvites).values({
      id,
      companyId,
      email: data.email,
      role: data.role,
      tokenHash: await tokenHash(token),
      invitedBy,
      expiresAt: now + INVITE_TTL_MS,
      createdAt: now,
    }),
  ]);
  const invite = (await db.query.userInvites.findFirst({ where: eq(userInvites.id, id) }))!;
  return { invite, token };
}

/** The company's invites still waiting to be accepted. */
export async function listPendingInvites(env: Stores, companyId: string) {
  return database(env.DB).query.userInvites.findMany({
    where: and(
      eq(userInvites.companyId, companyId),
      isNull(userInvites.acceptedAt),
      isNull(userInvites.revokedAt),
      gt(userInvites.expiresAt, Date.now()),
    ),
    orderBy: asc(userInvites.id),
  });
}

export async function revokeInvite(env: Stores, companyId: string, inviteId: string) {
  const db = database(env.DB);
  const invite = await db.query.userInvites.findFirst({
    where: and(eq(userInvites.id, inviteId), eq(userInvites.companyId, companyId)),
  });
  if (!invite) throw problems.notFound("invite", inviteId);
  await db
    .update(userInvites)
    .set({ revokedAt: Date.now() })
    .where(and(eq(userInvites.id, inviteId), isNull(userInvites.acceptedAt), isNull(userInvites.revokedAt)));
}

/** The invite a token opens, if it can still be accepted (not used, revoked or expired). Reads only. */
export async function findOpenInvite(env: Stores, token: string): Promise<UserInvite | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const invite = await database(env.DB).query.userInvites.findFirst({
    where: eq(userInvites.tokenHash, await tokenHash(token)),
  });
  if (!invite || invite.acceptedAt || invite.revokedAt || invite.expiresAt <= Date.now()) return null;
  return invite;
}

/**
 * Accepts an invite: the user is created with `password`. The invite is consumed by one conditional
 * update (still open, not expired) in the same batch as the user's insert, which acts only if that
 * update marked the invite with this user's id: two submissions of one link create one user.
 * Null when the token opens no invite (used, revoked, expired or unknown).
 */
export async function acceptInvite(env: Stores, token: string, password: string): Promise<User | null> {
  parseInput(z.object({ password: newPassword }), { password });
  const invite = await findOpenInvite(env, token);
  if (!invite) return null;
  const now = Date.now();
  const userId = newId("user", now);
  const passwordHash = await hashPassword(password);
  let consumed: D1Result | undefined;
  try {
    [consumed] = await env.DB.batch([
      env.DB.prepare(
        `UPDATE user_invites SET accepted_user_id = ?1, accepted_at = ?2
         WHERE id = ?3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?2`,
      ).bind(userId, now, invite.id),
      env.DB.prepare(
        `INSERT INTO users (id, company_id, email, role, password_hash, created_at, updated_at)
         SELECT ?1, company_id, email, role, ?2, ?3, ?3 FROM user_invites
         WHERE id = ${sqlId(invite.id)} AND accepted_user_id = ?1`,
      ).bind(userId, passwordHash, now),
    ]);
  } catch (error) {
    // The email got an account since the invite was sent: the batch (and the invite) is untouched.
    if (isUniqueViolation(error, "users.email")) throw emailTaken();
    throw error;
  }
  if (consumed!.meta.changes === 0) return null;
  return getUser(env, invite.companyId, userId);
}
