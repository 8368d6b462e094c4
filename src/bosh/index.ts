// The pure BOSH release-metadata core: readers and canonical writers of the metadata files,
// BOSH versions, release detection in a checkout, semantic rebase onto a base branch, and the
// integrity check of a release at a commit. No I/O: files come in and go out as strings.

export {
  boshVersionsEqual,
  compareBoshVersions,
  compareVersionTexts,
  FIRST_FINAL_VERSION,
  highestBoshVersion,
  nextFinalVersion,
  parseBoshVersion,
  sameBoshVersion,
  tryParseBoshVersion,
  type BoshVersion,
  type VersionComponent,
} from './bosh-version.js';
export {
  buildEntriesEqual,
  buildIndexReader,
  parseBuildIndex,
  writeBuildIndex,
  type BuildEntry,
  type BuildIndex,
} from './build-index.js';
export {
  compareBytewise,
  resolvesAsNonString,
  scalarStyle,
  writeYaml,
  yamlMapping,
  type ScalarStyle,
  type YamlMapping,
  type YamlValue,
} from './canonical-yaml.js';
export { parseFinalConfig, readFinalConfig, type FinalConfig } from './final-config.js';
export {
  applyImport,
  importKey,
  readImport,
  type AppliedImport,
  type DeliveredVersion,
  type ImportedIndex,
  type ImportOptions,
  type MetadataImport,
} from './import.js';
export {
  highestFinalVersion,
  nextReleaseVersion,
  verifyAllReleases,
  verifyRelease,
  type FinalVersion,
  type ReleaseDescription,
  type VerifyReleaseOptions,
} from './integrity.js';
export {
  buildIndexPath,
  buildIndexPaths,
  FINAL_BUILDS_DIR,
  FINAL_CONFIG_PATH,
  isMetadataPath,
  parseBuildIndexPath,
  PRIVATE_CONFIG_PATH,
  releaseIndexPath,
  releaseManifestPath,
  RELEASES_DIR,
  type BuildIndexLocation,
  type BuildKind,
  type MetadataFiles,
} from './metadata-files.js';
export {
  rebaseRelease,
  type RebasedRelease,
  type RebaseOptions,
  type TrackedMetadata,
} from './rebase.js';
export { ReleaseRefusal, type RefusalReason } from './refusal.js';
export {
  parseReleaseIndex,
  readReleaseIndex,
  writeReleaseIndex,
  type ReleaseIndex,
} from './release-index.js';
export {
  describeReference,
  manifestBuildReferences,
  parseReleaseManifest,
  writeReleaseManifest,
  type BuildReference,
  type ManifestCompiledPackage,
  type ManifestJob,
  type ManifestLicense,
  type ManifestPackage,
  type ReleaseManifest,
} from './release-manifest.js';
export {
  detectRelease,
  releaseKey,
  type DetectReleaseOptions,
  type NewBuild,
  type Release,
} from './release.js';
