import type { AnyMutationProcedure, AnyRouter, inferProcedureInput } from '@trpc/server';
import {
  type Catalog,
  checkTranslation,
  formatText,
  type Translation,
} from '../../shared/catalog.js';
import type { ActionClaim } from '../../shared/delivery.js';
import type { MessageAction } from '../../shared/message.js';
import { randomId } from '../crypto/random-id.js';
import type { Signer } from '../crypto/signer.js';
import { positiveInteger } from '../runtime/positive-integer.js';

// A message's action is a call of one of the app's mutations that the server offers to one
// recipient, once: it signs the path, the input (as JSON), the expiry, a random token id and the
// recipient (the store key of the session or user the message is for), the client sends the
// token back with the call (in the client header, see `ActionClaim`), and the kit's middleware
// refuses a call whose path or input is not what was signed, that comes after the expiry, from
// a request that does not hold the recipient, or whose token id was used before (recorded in
// the store until the expiry).

/** How long an action may be taken when its maker names no `expiresInMs`: 10 minutes. */
export const DEFAULT_ACTION_EXPIRY_MS = 10 * 60_000;

/** The dotted paths of a router's mutations: `'tasks.restore'`. */
export type MutationPaths<TRecord, Prefix extends string = ''> = {
  [Key in keyof TRecord & string]: TRecord[Key] extends AnyMutationProcedure
    ? `${Prefix}${Key}`
    : TRecord[Key] extends Record<string, unknown>
      ? MutationPaths<TRecord[Key], `${Prefix}${Key}.`>
      : never;
}[keyof TRecord & string];

/** What is found at a dotted path of a router's record. */
type At<TRecord, Path extends string> = Path extends `${infer Head}.${infer Rest}`
  ? Head extends keyof TRecord
    ? At<TRecord[Head], Rest>
    : never
  : Path extends keyof TRecord
    ? TRecord[Path]
    : never;

/** The input of the mutation at `Path`. */
export type MutationInput<TRouter extends AnyRouter, Path extends string> =
  At<TRouter['_def']['record'], Path> extends infer Procedure extends AnyMutationProcedure
    ? inferProcedureInput<Procedure>
    : never;

/** What a message's action calls, and how it is shown. */
export interface ActionSpec<
  TRouter extends AnyRouter,
  Path extends MutationPaths<TRouter['_def']['record']>,
> {
  /** The button's text: 'Undo', or a key of the kit's catalog (`t('undo')`), rendered as the text is. */
  readonly label: string | Translation;
  /** The mutation to call: 'tasks.restore'. */
  readonly path: Path;
  /** Its input, as JSON (checked against the mutation's input type). */
  readonly input: MutationInput<TRouter, Path>;
  /** How long the action may be taken, in ms (default 10 minutes). */
  readonly expiresInMs?: number;
}

/** Makes a message's action: `action({ label: 'Undo', path: 'tasks.restore', input: { id } })`. */
export type ActionMaker<TRouter extends AnyRouter> = <
  Path extends MutationPaths<TRouter['_def']['record']>,
>(
  spec: ActionSpec<TRouter, Path>,
) => MessageAction;

/** The longest label of an action, in characters. */
const MAX_LABEL_LENGTH = 40;

/** What an action's token binds: the call, its expiry, the token's id and its recipient. */
interface ActionBinding {
  readonly path: string;
  readonly inputJson: string;
  readonly expiresAt: number;
  readonly id: string;
  /** The store key of the recipient it is offered to; '' for one bound to no one (cookies). */
  readonly recipient: string;
}

/** What is signed for an action: its binding, one part per line. */
function signedPayload({ path, inputJson, expiresAt, id, recipient }: ActionBinding): string {
  return `${path}\n${inputJson}\n${expiresAt}\n${id}\n${recipient}`;
}

/** The token of an action: `expiresAt.id.signature`. */
function tokenOf(signer: Signer, binding: ActionBinding): string {
  const signed = signer.sign(signedPayload(binding));
  return `${binding.expiresAt}.${binding.id}.${signed.slice(signed.lastIndexOf('.') + 1)}`;
}

/**
 * Builds the signer of a kit's actions: `action`, as the maker made it (unsigned), offered to
 * `recipient` (a store key; '' for none), with a fresh token id. `Messages` calls it as the
 * message is queued, when its recipient is known (see `MessagesOptions.signAction`).
 */
export function createActionSigner(signer: Signer) {
  return (action: MessageAction, recipient: string): MessageAction => {
    const binding = {
      path: action.path,
      inputJson: JSON.stringify(action.input ?? null),
      expiresAt: action.expiresAt,
      id: randomId(12),
      recipient,
    };
    return { ...action, token: tokenOf(signer, binding) };
  };
}

/**
 * Builds the `actions()` of a kit: the maker of actions, typed by the app's router, unsigned
 * until queued (`createActionSigner`); a label given by key is looked up in `catalog` for its
 * text.
 */
export function createActionMaker<TRouter extends AnyRouter>(
  catalog?: Catalog,
  now: () => number = Date.now,
): ActionMaker<TRouter> {
  return (spec) => {
    const { path } = spec;
    const translation =
      typeof spec.label === 'string'
        ? undefined
        : checkTranslation(catalog, spec.label, "an action's label");
    const label = translation
      ? formatText(catalog?.[translation.key] as string, translation.params)
      : spec.label;
    if (typeof label !== 'string' || label.length === 0 || label.length > MAX_LABEL_LENGTH) {
      throw new TypeError(
        `trpc-messages: an action's label must be a string of 1 to ${MAX_LABEL_LENGTH} characters`,
      );
    }
    if (typeof path !== 'string' || !/^[A-Za-z0-9_$.-]{1,200}$/.test(path)) {
      throw new TypeError(`trpc-messages: an action's path must be a tRPC path, got "${path}"`);
    }
    const inputJson = JSON.stringify(spec.input ?? null);
    const expiresInMs = spec.expiresInMs ?? DEFAULT_ACTION_EXPIRY_MS;
    return {
      label,
      path,
      // As the client will send it back: JSON, whatever the input was made of.
      input: JSON.parse(inputJson),
      expiresAt: now() + positiveInteger(expiresInMs, "an action's expiresInMs"),
      // Signed once queued, for the message's recipient.
      token: '',
      ...(translation ? { translation } : {}),
    };
  };
}

/** Why a claimed action is refused, as the HTTP status class of its error. */
export type RefusalCode = 'BAD_REQUEST' | 'FORBIDDEN';

/** What the claims of a request say of one of its calls. */
export type ActionCheck =
  | { readonly kind: 'none' }
  | {
      readonly kind: 'verified';
      /** The token's id, to record as used until `expiresAt`. */
      readonly tokenId: string;
      readonly expiresAt: number;
    }
  | { readonly kind: 'refused'; readonly code: RefusalCode; readonly reason: string };

/**
 * Checks the call of `path` with `input` against the action claims of its request, whose
 * `identities` are the store keys it holds (`['']` where actions are bound to no one): 'none'
 * when no claim names the path (a plain call), 'verified' when one of them is the server's
 * signature of this very call for one of the identities and has not expired, 'refused' (with
 * why) otherwise. Whether the token was used before is the caller's to check (`tokenId`).
 */
export function checkAction(
  claims: readonly ActionClaim[],
  path: string,
  input: unknown,
  signer: Signer,
  identities: readonly string[],
  now: number = Date.now(),
): ActionCheck {
  const mine = claims.filter((claim) => claim.path === path);
  if (mine.length === 0) return { kind: 'none' };
  if (identities.length === 0) {
    return {
      kind: 'refused',
      code: 'FORBIDDEN',
      reason:
        `trpc-messages: the action ${path} was offered to a visitor's session or a user, and ` +
        'this request carries neither (no valid session cookie, no signed-in user); it was not run',
    };
  }
  const inputJson = JSON.stringify(input ?? null);
  let expired = false;
  for (const { token } of mine) {
    const [expiry = '', id = '', signature = ''] = token.split('.');
    const expiresAt = Number(expiry);
    const verifies = identities.some((recipient) => {
      const payload = signedPayload({ path, inputJson, expiresAt, id, recipient });
      return signer.unsign(`${payload}.${signature}`) !== undefined;
    });
    if (!verifies) continue;
    if (expiresAt <= now) {
      expired = true;
      continue;
    }
    return { kind: 'verified', tokenId: id, expiresAt };
  }
  return {
    kind: 'refused',
    code: 'BAD_REQUEST',
    reason: expired
      ? `trpc-messages: the action ${path} has expired; it was not run`
      : `trpc-messages: the action ${path} does not match what the server offered to this ` +
        'visitor (its input or path was changed, it was offered to another session or user, ' +
        'or another secret signed it); it was not run',
  };
}
