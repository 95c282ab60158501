/** Signed Slack requests for the tests: the same builders the sandbox sends to the bot. */
export * from '../../src/sandbox/slack-requests.ts';
