// Generic packages (PublishPackageVersion): any file, a required namespace, names and versions as given.
import { basicFormat } from './format.js';

export const genericFormat = basicFormat('generic', 'generic', 'required', { packageManagerEndpoint: false });
