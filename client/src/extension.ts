import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SUMMARY_NOTIFICATION, type SummaryParams } from '../../server/src/lsp/protocol';
import { IMMUDB_PASSWORD_SECRET, isIdentityMissing, registerCommands } from './commands';
import { IdentityStore } from './identity';
import { registerReview } from './review';
import { StatusDisplay } from './status';
import { TrustView } from './trustView';

/** The lockfile names the server reads; keep in step with server/src/parsers/index.ts. */
export const LOCKFILE_GLOB = '**/{package-lock.json,npm-shrinkwrap.json,go.sum,go.work.sum,Gemfile.lock,gems.locked,pom.xml}';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('deptrust', { log: true });
  const module = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const identities = new IdentityStore(context.secrets);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', pattern: LOCKFILE_GLOB }],
    synchronize: {
      configurationSection: 'deptrust',
      // Lockfiles and policies changed on disk (git checkout, npm install) are checked again.
      fileEvents: [
        vscode.workspace.createFileSystemWatcher('**/.deptrust/policy.json'),
        vscode.workspace.createFileSystemWatcher(LOCKFILE_GLOB),
      ],
    },
    initializationOptions: { identity: await identities.load(), immudbPassword: await context.secrets.get(IMMUDB_PASSWORD_SECRET) },
    outputChannel: output,
    middleware: {
      // A quick fix run without an identity: offer one, then run the fix again.
      executeCommand: async (command, args, next) => {
        try {
          return await next(command, args);
        } catch (err) {
          if (client && isIdentityMissing(err) && (await identities.offer(client))) return next(command, args);
          throw err;
        }
      },
    },
  };
  client = new LanguageClient('deptrust', 'deptrust', serverOptions, clientOptions);

  const status = new StatusDisplay();
  const view = new TrustView(client);
  const review = registerReview(context, client);
  context.subscriptions.push(
    output,
    status,
    view,
    ...registerCommands(client, identities, view, context.secrets),
    client.onNotification(SUMMARY_NOTIFICATION, (s: SummaryParams) => {
      status.update(s);
      view.refreshSoon();
      review.refreshSoon();
    }),
    vscode.workspace.onDidCloseTextDocument((d) => status.forget(d.uri.toString())),
  );
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
}
