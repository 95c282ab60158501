import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  MessageShortcut,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackOptionsMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';
import type { WorkspaceContext } from './middleware/workspace.ts';

/** The Bolt app: every listener's `context` carries the request's workspace. */
export type ArBridgeApp = App<WorkspaceContext>;

/** What Bolt hands each kind of listener, with the request's workspace in `context.teamId`. */
type Args = AllMiddlewareArgs<WorkspaceContext>;
export type ButtonArgs = Args & SlackActionMiddlewareArgs<BlockAction<ButtonAction>>;
export type ActionArgs = Args & SlackActionMiddlewareArgs<BlockAction>;
export type ViewArgs = Args & SlackViewMiddlewareArgs<ViewSubmitAction>;
export type CommandArgs = Args & SlackCommandMiddlewareArgs;
export type OptionsArgs = Args & SlackOptionsMiddlewareArgs<'block_suggestion'>;
export type MessageShortcutArgs = Args & SlackShortcutMiddlewareArgs<MessageShortcut>;
export type EventArgs<Type extends string> = Args & SlackEventMiddlewareArgs<Type>;
