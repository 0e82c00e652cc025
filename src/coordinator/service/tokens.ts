import { pbkdf2, pbkdf2Sync, randomBytes, randomInt, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";

const pbkdf2Async = promisify(pbkdf2);

import type { HashedSecret } from "../store/records.js";

/** A secret with what the store keeps of it (never the token itself). */
export interface SaltedToken extends HashedSecret {
  token: string;
}

const SALT_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** 20 random bytes as 40 lowercase hex chars (Gitea's runner, task and registration token format). */
export function randomToken(): string {
  return randomBytes(20).toString("hex");
}

export function randomSalt(): string {
  let s = "";
  for (let i = 0; i < 10; i++) s += SALT_ALPHABET[randomInt(SALT_ALPHABET.length)];
  return s;
}

/** Gitea's HashToken: hex(PBKDF2-HMAC-SHA256(token, salt, 10000 iterations, 50 bytes)). */
export function hashToken(token: string, salt: string): string {
  return pbkdf2Sync(token, salt, 10_000, 50, "sha256").toString("hex");
}

export function newSaltedToken(): SaltedToken {
  const token = randomToken();
  const salt = randomSalt();
  return { token, salt, hash: hashToken(token, salt), lastEight: token.slice(-8) };
}

/**
 * `verifyToken` on libuv's thread pool: a caller who presents forged tokens costs the event loop
 * nothing (PBKDF2 takes milliseconds).
 */
export async function verifyTokenOffThread(token: string, salt: string, hash: string): Promise<boolean> {
  const a = await pbkdf2Async(token, salt, 10_000, 50, "sha256");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Constant-time comparison of a presented token against a stored hash. */
export function verifyToken(token: string, salt: string, hash: string): boolean {
  const a = Buffer.from(hashToken(token, salt), "hex");
  const b = Buffer.from(hash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
