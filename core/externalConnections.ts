// The external connections AWS offers (the model's documented list), each to the public repository of one
// format. Here each name maps to a source the operator configures (--external public:pypi=URL); a connection
// without one exists but finds nothing.
import type { PackageFormat } from '@aws-sdk/client-codeartifact';

export const EXTERNAL_CONNECTIONS: Readonly<Record<string, PackageFormat>> = {
  'public:npmjs': 'npm',
  'public:pypi': 'pypi',
  'public:maven-central': 'maven',
  'public:maven-googleandroid': 'maven',
  'public:maven-gradleplugins': 'maven',
  'public:maven-commonsware': 'maven',
  'public:maven-clojars': 'maven',
  'public:nuget-org': 'nuget',
  'public:ruby-gems-org': 'ruby',
  'public:crates-io': 'cargo',
};

export const EXTERNAL_CONNECTION_NAMES = Object.keys(EXTERNAL_CONNECTIONS);
