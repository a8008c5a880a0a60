import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, ReviewError, type Repository } from './git';

/**
 * The hooks deptrust installs: `pre-commit` for `git commit` (also after a merge stopped for
 * conflicts), `pre-merge-commit` for a merge git commits on its own (githooks(5)).
 */
export const HOOK_NAMES = ['pre-commit', 'pre-merge-commit'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** Marks the hook as deptrust's; uninstall removes only a file that carries it. */
export const HOOK_MARKER = '# deptrust pre-commit hook';

/** Where an existing hook is kept while deptrust's runs in its place (and runs it first). */
export const CHAINED_SUFFIX = '.deptrust-chained';

export interface HookCommand {
  /** Absolute path of the node binary that ran `hook install`. */
  node: string;
  /** Absolute path of the deptrust CLI script that ran `hook install`. */
  cli: string;
  /** Extra arguments for `deptrust review --staged` (e.g. `--allow-unknown`). */
  args: string[];
}

export interface HookResult {
  name: HookName;
  hook: string;
  /** The hook that was there before and now runs first, when there was one. */
  chained?: string;
  /** False when the same hook was already installed: nothing changed. */
  changed: boolean;
}

/**
 * The hooks folder git uses: `core.hooksPath` when set (relative to the work tree root),
 * else `hooks` in the git folder (the common one for a linked worktree).
 */
export function hooksDir(repo: Repository): string {
  const out = git(repo.root, ['rev-parse', '--git-path', 'hooks']).stdout.toString('utf8').trim();
  return path.resolve(repo.root, out);
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The hook script; POSIX sh, since git runs hooks with sh on every platform it supports. */
export function hookScript(command: HookCommand, name: HookName = 'pre-commit'): string {
  const args = ['review', '--staged', ...command.args].map(quote).join(' ');
  return `#!/bin/sh
${HOOK_MARKER} (${name}): \`deptrust hook uninstall\` removes it and restores the hook it chained.
# An existing hook, kept beside this one, runs first; its failure stops the commit.
chained="$0${CHAINED_SUFFIX}"
if [ -x "$chained" ]; then
  "$chained" "$@" || exit $?
fi
node=${quote(command.node)}
cli=${quote(command.cli)}
if [ -x "$node" ] && [ -f "$cli" ]; then
  exec "$node" "$cli" ${args}
fi
# The install-time paths are gone (node upgraded, project moved): deptrust from PATH, else the
# project's own copy; --no-install so that no package is ever downloaded from a commit hook.
if command -v deptrust >/dev/null 2>&1; then
  exec deptrust ${args}
fi
exec npx --no-install deptrust ${args}
`;
}

function isOurs(file: string): boolean {
  try {
    return fs.readFileSync(file, 'utf8').includes(HOOK_MARKER);
  } catch {
    return false;
  }
}

/**
 * Installs the hooks (`HOOK_NAMES`). An existing hook of another tool is renamed to
 * `<name>.deptrust-chained` (bytes and mode kept) and runs first. Installing again only
 * refreshes deptrust's script, never chains it to itself.
 */
export function installHooks(repo: Repository, command: HookCommand): HookResult[] {
  const dir = hooksDir(repo);
  for (const name of HOOK_NAMES) {
    const hook = path.join(dir, name);
    if (fs.existsSync(hook) && !isOurs(hook) && fs.existsSync(hook + CHAINED_SUFFIX)) {
      throw new ReviewError(
        'HOOK_NOT_OURS',
        `${hook} is not deptrust's and ${hook + CHAINED_SUFFIX} exists already; move one of them away first`,
      );
    }
  }
  return HOOK_NAMES.map((name) => installHook(dir, name, command));
}

function installHook(dir: string, name: HookName, command: HookCommand): HookResult {
  const hook = path.join(dir, name);
  const chained = hook + CHAINED_SUFFIX;
  const script = hookScript(command, name);
  try {
    fs.mkdirSync(dir, { recursive: true });
    let changed = true;
    if (fs.existsSync(hook) && !isOurs(hook)) {
      if (fs.existsSync(chained)) {
        throw new ReviewError(
          'HOOK_NOT_OURS',
          `${hook} is not deptrust's and ${chained} exists already; move one of them away first`,
        );
      }
      fs.renameSync(hook, chained);
    } else if (fs.existsSync(hook) && fs.readFileSync(hook, 'utf8') === script) {
      changed = false;
    }
    if (changed) {
      const temp = `${hook}.deptrust-${process.pid}`;
      fs.writeFileSync(temp, script, { mode: 0o755 });
      fs.renameSync(temp, hook);
    }
    return { name, hook, changed, ...(fs.existsSync(chained) ? { chained } : {}) };
  } catch (err) {
    if (err instanceof ReviewError) throw err;
    throw new ReviewError('HOOK_FAILED', `cannot install ${hook}: ${(err as Error).message}`);
  }
}

/**
 * Removes deptrust's hooks and puts back the ones they chained, exactly as they were. A hook
 * that is not deptrust's is left alone and reported; nothing is removed then.
 */
export function uninstallHooks(repo: Repository): HookResult[] {
  const dir = hooksDir(repo);
  for (const name of HOOK_NAMES) {
    const hook = path.join(dir, name);
    if (fs.existsSync(hook) && !isOurs(hook))
      throw new ReviewError('HOOK_NOT_OURS', `${hook} is not deptrust's hook; left as it is`);
  }
  return HOOK_NAMES.map((name) => uninstallHook(dir, name));
}

function uninstallHook(dir: string, name: HookName): HookResult {
  const hook = path.join(dir, name);
  const chained = hook + CHAINED_SUFFIX;
  if (!fs.existsSync(hook)) return { name, hook, changed: false };
  try {
    fs.rmSync(hook);
    if (fs.existsSync(chained)) {
      fs.renameSync(chained, hook);
      return { name, hook, chained: hook, changed: true };
    }
    return { name, hook, changed: true };
  } catch (err) {
    throw new ReviewError('HOOK_FAILED', `cannot uninstall ${hook}: ${(err as Error).message}`);
  }
}
