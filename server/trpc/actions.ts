import type { AnyMutationProcedure, AnyRouter, inferProcedureInput } from '@trpc/server';
import {
  type Catalog,
  checkTranslation,
  formatText,
  type Translation,
} from '../../shared/catalog.js';
import type { ActionClaim } from '../../shared/delivery.js';
import type { MessageAction } from '../../shared/message.js';
import { positiveInteger } from '../storage/positive-integer.js';
import type { Signer } from '../storage/signer.js';

// A message's action is a call of one of the app's mutations that the server offers: it signs
// the path, the input (as JSON) and the expiry, the client sends the signature back with the
// call (in the client header, see `ActionClaim`), and the kit's middleware refuses a call whose
// path or input is not what was signed, or that comes after the expiry.

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
  /** How long the action may be taken, in ms (default: as long as the message is shown). */
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

/** What is signed for an action: its path, its input as JSON and its expiry, one per line. */
function signedPayload(path: string, inputJson: string, expiresAt: number): string {
  return `${path}\n${inputJson}\n${expiresAt}`;
}

/** The token of an action: `expiresAt.signature`. */
function tokenOf(signer: Signer, path: string, inputJson: string, expiresAt: number): string {
  const signed = signer.sign(signedPayload(path, inputJson, expiresAt));
  return `${expiresAt}.${signed.slice(signed.lastIndexOf('.') + 1)}`;
}

/**
 * Builds the `actions()` of a kit: the maker of signed actions, typed by the app's router; a
 * label given by key is looked up in `catalog` for its text.
 */
export function createActionMaker<TRouter extends AnyRouter>(
  signer: Signer,
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
    const expiresAt =
      spec.expiresInMs === undefined
        ? 0
        : now() + positiveInteger(spec.expiresInMs, "an action's expiresInMs");
    return {
      label,
      path,
      // As the client will send it back: JSON, whatever the input was made of.
      input: JSON.parse(inputJson),
      expiresAt,
      token: tokenOf(signer, path, inputJson, expiresAt),
      ...(translation ? { translation } : {}),
    };
  };
}

/** What the claims of a request say of one of its calls. */
export type ActionCheck =
  | { readonly kind: 'none' }
  | { readonly kind: 'verified' }
  | { readonly kind: 'refused'; readonly reason: string };

/**
 * Checks the call of `path` with `input` against the action claims of its request: 'none' when
 * no claim names the path (a plain call), 'verified' when one of them is the server's signature
 * of this very call and has not expired, 'refused' (with why) otherwise.
 */
export function checkAction(
  claims: readonly ActionClaim[],
  path: string,
  input: unknown,
  signer: Signer,
  now: number = Date.now(),
): ActionCheck {
  const mine = claims.filter((claim) => claim.path === path);
  if (mine.length === 0) return { kind: 'none' };
  const inputJson = JSON.stringify(input ?? null);
  let expired = false;
  for (const { token } of mine) {
    const dot = token.indexOf('.');
    const expiresAt = Number(token.slice(0, dot));
    const signed = `${signedPayload(path, inputJson, expiresAt)}.${token.slice(dot + 1)}`;
    if (signer.unsign(signed) === undefined) continue;
    if (expiresAt !== 0 && expiresAt <= now) {
      expired = true;
      continue;
    }
    return { kind: 'verified' };
  }
  return {
    kind: 'refused',
    reason: expired
      ? `trpc-messages: the action ${path} has expired; it was not run`
      : `trpc-messages: the action ${path} does not match what the server offered (its input ` +
        'or path was changed, or another secret signed it); it was not run',
  };
}
