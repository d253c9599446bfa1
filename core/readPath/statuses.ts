// Which versions package endpoints show, whatever the format (AWS's version statuses): Published versions are
// listed; Unlisted ones stay installable by exact URL but are not listed; Archived, Disposed and Unfinished
// ones are neither.
import type { VersionStatus } from '../../storage/ports.js';

export const LISTED_STATUSES: readonly VersionStatus[] = ['Published'];
export const SERVED_STATUSES: readonly VersionStatus[] = ['Published', 'Unlisted'];

export const isListed = (status: VersionStatus) => LISTED_STATUSES.includes(status);
export const isServed = (status: VersionStatus) => SERVED_STATUSES.includes(status);
