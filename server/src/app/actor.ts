import { execFileSync } from 'node:child_process';
import * as os from 'node:os';

/**
 * The name decisions are recorded under when no identity names one: `DEPTRUST_ACTOR`, then
 * git's `user.name`, then the login name.
 */
export function defaultActorName(): string {
  if (process.env.DEPTRUST_ACTOR) return process.env.DEPTRUST_ACTOR;
  try {
    const name = execFileSync('git', ['config', '--get', 'user.name'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 2000 }).trim();
    if (name) return name;
  } catch {
    // git missing or no name configured
  }
  return os.userInfo().username;
}
