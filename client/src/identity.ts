import * as os from 'node:os';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  CREATE_IDENTITY_REQUEST,
  SET_IDENTITY_NOTIFICATION,
  type IdentityParams,
} from '../../server/src/lsp/protocol';

const SECRET_KEY = 'deptrust.identity';

/**
 * The actor's signing identity, kept in VS Code's secret storage and handed to the language
 * server, which holds it in memory. Without one the server falls back to the identity file the
 * CLI uses (`deptrust identity create`).
 */
export class IdentityStore {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async load(): Promise<IdentityParams | undefined> {
    const text = await this.secrets.get(SECRET_KEY);
    if (!text) return undefined;
    try {
      const parsed = JSON.parse(text) as IdentityParams;
      return parsed.name && parsed.secretKey ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  /** Asks for a name, has the server make a key pair, keeps it, and hands it to the server. */
  async create(client: LanguageClient): Promise<IdentityParams | undefined> {
    const name = await vscode.window.showInputBox({
      title: 'deptrust: Create Identity',
      prompt: 'Your name as others will see it on your trust decisions',
      value: os.userInfo().username,
      validateInput: (v) => (v.trim() ? undefined : 'a name is needed'),
    });
    if (!name) return undefined;
    const identity = await client.sendRequest<IdentityParams>(CREATE_IDENTITY_REQUEST, { name: name.trim() });
    await this.secrets.store(SECRET_KEY, JSON.stringify(identity));
    await client.sendNotification(SET_IDENTITY_NOTIFICATION, identity);
    void vscode.window
      .showInformationMessage(`deptrust: identity "${identity.name}" created. Its public key goes into a policy's actors.`, 'Copy Public Key')
      .then((choice) => choice && vscode.env.clipboard.writeText(identity.publicKey));
    return identity;
  }

  /** On the first decision without an identity: offer to make one. */
  async offer(client: LanguageClient): Promise<boolean> {
    const create = 'Create Identity';
    const answer = await vscode.window.showInformationMessage(
      'deptrust signs every trust decision with your own key. Create your identity now?',
      { modal: true },
      create,
    );
    return answer === create && (await this.create(client)) !== undefined;
  }

  async show(): Promise<void> {
    const identity = await this.load();
    if (!identity) {
      void vscode.window.showInformationMessage('deptrust: no identity in VS Code yet; decisions use the CLI identity file if there is one.');
      return;
    }
    const copy = 'Copy Public Key';
    const choice = await vscode.window.showInformationMessage(`deptrust identity: ${identity.name} — ${identity.publicKey}`, copy);
    if (choice === copy) await vscode.env.clipboard.writeText(identity.publicKey);
  }
}
