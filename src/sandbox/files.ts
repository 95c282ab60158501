/**
 * Slack's external file upload, as the Web API answers it: files.getUploadURLExternal hands out an
 * upload URL (on the server that serves this model) and a file id, the bytes are POSTed there, and
 * files.completeUploadExternal completes the file. chat.postMessage and views.publish then refuse
 * a `slack_file` image whose file is not a completed upload (`invalid_blocks`), as Slack does. The
 * sandbox serves the files to its page; the tests' fake Slack records them.
 */
import { fail, type Handler, isRecord, str } from './web-api.ts';

export interface UploadedFile {
  id: string;
  filename: string;
  /** The length files.getUploadURLExternal was told. */
  length: number;
  /** What was POSTed to the upload URL (null until then). */
  bytes: Buffer | null;
  title: string | null;
  completed: boolean;
}

export interface FileStore {
  /** Every file, by id (ids are unique across the workspaces sharing the store). */
  readonly files: Map<string, UploadedFile>;
  /** The bytes POSTed to a file's upload URL; false for an unknown or already completed file. */
  receive(id: string, bytes: Buffer): boolean;
  /** Answers the two files methods in a workspace (upload URLs from `uploadUrl`) and guards its image blocks. */
  install(handlers: Record<string, Handler>, uploadUrl: (fileId: string) => string): void;
  /** The completed files as JSON (bytes in base64), and back: the sandbox keeps them across restarts. */
  snapshot(): SavedFile[];
  restore(saved: readonly SavedFile[]): void;
}

export type SavedFile = Omit<UploadedFile, 'bytes'> & { base64: string };

/** The ids of `slack_file` images in these blocks. */
function slackFileIds(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  return blocks.flatMap((b) => {
    const file = isRecord(b) && b.type === 'image' && isRecord(b.slack_file) ? b.slack_file : undefined;
    return typeof file?.id === 'string' ? [file.id] : [];
  });
}

export function createFileStore(): FileStore {
  const files = new Map<string, UploadedFile>();
  let counter = 0;
  const complete: Handler = (args) => {
    const list: unknown = typeof args.files === 'string' ? JSON.parse(args.files) : args.files;
    if (!Array.isArray(list) || list.length === 0) return fail('invalid_arguments', ['files is required']);
    const done: Record<string, unknown>[] = [];
    for (const item of list) {
      const file = isRecord(item) ? files.get(String(item.id)) : undefined;
      if (file === undefined || file.bytes === null) return fail('file_not_found');
      if (file.bytes.length !== file.length) return fail('file_upload_size_mismatch');
      file.completed = true;
      file.title = (isRecord(item) ? str(item.title) : undefined) ?? file.filename;
      done.push({
        id: file.id,
        name: file.filename,
        title: file.title,
        mimetype: 'image/png',
        size: file.length,
      });
    }
    return { ok: true, files: done };
  };
  return {
    files,
    snapshot: () =>
      [...files.values()].flatMap(({ bytes, ...f }) =>
        f.completed && bytes ? [{ ...f, base64: bytes.toString('base64') }] : [],
      ),
    restore(saved) {
      for (const { base64, ...f } of saved) files.set(f.id, { ...f, bytes: Buffer.from(base64, 'base64') });
      counter = Math.max(counter, ...saved.map((f) => Number(f.id.replace(/\D/g, '')) || 0));
    },
    receive(id, bytes) {
      const file = files.get(id);
      if (file === undefined || file.completed) return false;
      file.bytes = bytes;
      return true;
    },
    install(handlers, uploadUrl) {
      handlers['files.getUploadURLExternal'] = (args) => {
        const filename = str(args.filename);
        const length = Number(args.length);
        if (filename === undefined) return fail('invalid_arguments', ['filename is required']);
        if (!Number.isInteger(length) || length <= 0)
          return fail('invalid_arguments', ['length must be a positive integer']);
        counter += 1;
        const id = `F0UP${String(counter).padStart(7, '0')}`;
        files.set(id, { id, filename, length, bytes: null, title: null, completed: false });
        return { ok: true, upload_url: uploadUrl(id), file_id: id };
      };
      handlers['files.completeUploadExternal'] = complete;
      for (const method of ['chat.postMessage', 'views.publish'] as const) {
        const original = handlers[method];
        if (!original) continue;
        handlers[method] = (args) => {
          const blocks = method === 'views.publish' && isRecord(args.view) ? args.view.blocks : args.blocks;
          const missing = slackFileIds(blocks).filter((id) => !files.get(id)?.completed);
          if (missing.length > 0)
            return fail(
              'invalid_blocks',
              missing.map((id) => `[ERROR] no such file ${id} [json-pointer:/blocks]`),
            );
          return original(args);
        };
      }
    },
  };
}
