import { groupNotFound } from '../groups/user-group.errors.js';
import type { UserGroupRepository } from '../groups/user-group.repository.port.js';
import type { Database } from '../storage/database.port.js';
import { userNotFound } from '../users/user.errors.js';
import type { UserRepository } from '../users/user.repository.port.js';
import { checkDuplicateKeys } from './checks/duplicate-key.check.js';
import { checkReservedKeys } from './checks/reserved-key.check.js';
import type { ClaimOwner, CustomClaim } from './custom-claim.js';
import type { CustomClaimRepository } from './custom-claim.repository.port.js';

/** Replaces the custom claims of a user or a group (pocket-id-api.md §4.5). */
export class CustomClaimService {
  constructor(
    private readonly deps: {
      claims: CustomClaimRepository;
      users: Pick<UserRepository, 'findById'>;
      groups: Pick<UserGroupRepository, 'findById'>;
      database: Pick<Database, 'transaction'>;
    },
  ) {}

  /** NFC-normalises, checks, and swaps the whole set in one transaction; answers the stored set. */
  async replace(owner: ClaimOwner, input: readonly CustomClaim[]): Promise<CustomClaim[]> {
    const claims = input.map((c) => ({ key: c.key.normalize('NFC'), value: c.value.normalize('NFC') }));
    checkReservedKeys(claims);
    checkDuplicateKeys(claims);
    return this.deps.database.transaction(async () => {
      if ('userId' in owner) {
        if (!(await this.deps.users.findById(owner.userId))) throw userNotFound();
      } else if (!(await this.deps.groups.findById(owner.groupId))) {
        throw groupNotFound();
      }
      await this.deps.claims.replace(owner, claims);
      return this.deps.claims.list(owner);
    });
  }

  suggestions(): Promise<string[]> {
    return this.deps.claims.keysByUse();
  }
}
