// The pure BOSH release-metadata core: readers and canonical writers of the metadata files,
// BOSH versions, release detection in a checkout, semantic rebase onto a base branch, and the
// integrity check of a release at a commit. No I/O: files come in and go out as strings.

export {
  boshVersionsEqual,
  compareBoshVersions,
  compareVersionTexts,
  highestBoshVersion,
  parseBoshVersion,
  sameBoshVersion,
  tryParseBoshVersion,
} from './bosh-version.js';
export { parseBuildIndex, writeBuildIndex, type BuildEntry } from './build-index.js';
export {
  compareBytewise,
  resolvesAsNonString,
  scalarStyle,
  writeYaml,
  yamlMapping,
  type YamlValue,
} from './canonical-yaml.js';
export { parseFinalConfig, readFinalConfig } from './final-config.js';
export { applyImport, readImport, type MetadataImport } from './import.js';
export { highestFinalVersion, verifyAllReleases, verifyRelease } from './integrity.js';
export {
  buildIndexPath,
  FINAL_BUILDS_DIR,
  FINAL_CONFIG_PATH,
  isMetadataFile,
  isMetadataPath,
  METADATA_DIRS,
  parseBuildIndexPath,
  releaseIndexPath,
  releaseManifestPath,
  RELEASES_DIR,
  type BuildKind,
  type MetadataFiles,
} from './metadata-files.js';
export { rebaseRelease, type TrackedMetadata } from './rebase.js';
export { ReleaseRefusal, type RefusalReason } from './refusal.js';
export { parseReleaseIndex, readReleaseIndex, writeReleaseIndex } from './release-index.js';
export {
  manifestBuildReferences,
  manifestIndexPaths,
  parseReleaseManifest,
  writeReleaseManifest,
  type ManifestJob,
  type ManifestPackage,
} from './release-manifest.js';
export {
  detectRelease,
  type DetectReleaseOptions,
  type NewBuild,
  type Release,
} from './release.js';
