import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AppError, DEFAULT_TENANT, formatZodIssues, TenantSchema, type Caller } from '@claudine/core';

/**
 * One API token as configured (CLAUDINE_API_TOKENS_FILE / CLAUDINE_API_TOKENS): give the token
 * itself, or better its SHA-256 (`printf %s "$TOKEN" | sha256sum`), so the file holds no secret.
 */
export const ApiTokenSchema = z
  .object({
    /** Shown in the audit trail; unique. */
    name: z.string().min(1).max(64),
    tenant: TenantSchema,
    token: z.string().min(16, 'must be at least 16 characters').max(4096).optional(),
    token_sha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'must be 64 hexadecimal digits (a SHA-256)')
      .optional(),
    /** Sees and controls every tenant's work, and the audit trail of all. */
    admin: z.boolean().default(false),
  })
  .strict()
  .superRefine((token, context) => {
    if ((token.token === undefined) === (token.token_sha256 === undefined))
      context.addIssue({
        code: 'custom',
        path: ['token'],
        message: 'give exactly one of token and token_sha256',
      });
  });

export const ApiTokenListSchema = z.array(ApiTokenSchema).superRefine((tokens, context) => {
  const seen = new Set<string>();
  tokens.forEach((token, index) => {
    if (seen.has(token.name))
      context.addIssue({ code: 'custom', path: [index, 'name'], message: `"${token.name}" is used twice` });
    seen.add(token.name);
  });
});

export type ApiToken = z.output<typeof ApiTokenSchema>;

export interface ApiTokenSources {
  /** Path of a JSON file (CLAUDINE_API_TOKENS_FILE). */
  file?: string;
  /** Inline JSON (CLAUDINE_API_TOKENS). */
  inline?: string;
}

interface KnownToken {
  name: string;
  tenant: string;
  admin: boolean;
  digest: Buffer;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

function parseTokens(variable: string, text: string): ApiToken[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new AppError(
      'CONFIG_INVALID',
      `invalid configuration: ${variable}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  const parsed = ApiTokenListSchema.safeParse(json);
  if (!parsed.success)
    throw new AppError(
      'CONFIG_INVALID',
      `invalid configuration: ${formatZodIssues(parsed.error.issues, variable)}`,
    );
  return parsed.data;
}

/**
 * Checks bearer tokens. With no token configured every caller is the anonymous admin of the
 * default tenant, as before tokens existed. Tokens are compared as SHA-256 digests with
 * timingSafeEqual, against every configured token, so the time taken says nothing about a match.
 */
export class TokenAuthenticator {
  private constructor(private readonly tokens: readonly KnownToken[]) {}

  /** @throws AppError CONFIG_INVALID naming the variable and the entry at fault */
  static load(sources: ApiTokenSources): TokenAuthenticator {
    const configured: ApiToken[] = [];
    if (sources.file !== undefined) {
      let text: string;
      try {
        text = readFileSync(sources.file, 'utf8');
      } catch (error) {
        throw new AppError(
          'CONFIG_INVALID',
          `invalid configuration: CLAUDINE_API_TOKENS_FILE: cannot read ${sources.file} (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      configured.push(...parseTokens('CLAUDINE_API_TOKENS_FILE', text));
    }
    if (sources.inline !== undefined) configured.push(...parseTokens('CLAUDINE_API_TOKENS', sources.inline));
    const names = new Set<string>();
    for (const token of configured) {
      if (names.has(token.name))
        throw new AppError(
          'CONFIG_INVALID',
          `invalid configuration: token name "${token.name}" appears in both CLAUDINE_API_TOKENS_FILE and CLAUDINE_API_TOKENS`,
        );
      names.add(token.name);
    }
    return TokenAuthenticator.of(configured);
  }

  static of(tokens: readonly ApiToken[]): TokenAuthenticator {
    return new TokenAuthenticator(
      tokens.map((token) => ({
        name: token.name,
        tenant: token.tenant,
        admin: token.admin,
        digest:
          token.token_sha256 !== undefined
            ? Buffer.from(token.token_sha256, 'hex')
            : sha256(token.token ?? ''),
      })),
    );
  }

  /** Whether tokens are configured (and so required). */
  get enabled(): boolean {
    return this.tokens.length > 0;
  }

  /**
   * The caller behind an `authorization` value (`Bearer <token>`).
   * @throws AppError UNAUTHENTICATED when tokens are configured and it is missing or wrong
   */
  authenticate(authorization: string | undefined, peer: string): Caller {
    if (!this.enabled) return { tenant: DEFAULT_TENANT, admin: true, tokenName: 'anonymous', peer };
    const token = bearerToken(authorization);
    if (token === undefined)
      throw new AppError(
        'UNAUTHENTICATED',
        'this coordinator requires a bearer token: send metadata "authorization: Bearer <token>" (claudine --token or CLAUDINE_TOKEN)',
      );
    const match = this.match(token);
    if (!match) throw new AppError('UNAUTHENTICATED', 'the bearer token is not valid');
    return { tenant: match.tenant, admin: match.admin, tokenName: match.name, peer };
  }

  /** For /metrics: true when tokens are off, or the header carries a valid token. */
  allows(authorization: string | undefined): boolean {
    if (!this.enabled) return true;
    const token = bearerToken(authorization);
    return token !== undefined && this.match(token) !== undefined;
  }

  private match(token: string): KnownToken | undefined {
    const digest = sha256(token);
    let found: KnownToken | undefined;
    // Every token is compared, whatever matched first.
    for (const known of this.tokens) if (timingSafeEqual(known.digest, digest) && !found) found = known;
    return found;
  }
}

function bearerToken(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1];
}
