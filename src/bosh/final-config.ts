import { UserError } from '../errors.js';
import { FINAL_CONFIG_PATH, type MetadataFiles } from './metadata-files.js';
import { loadYaml, YamlFields } from './yaml-reader.js';

// config/final.yml (bosh-cli releasedir/fs_config.go): the release name is `name`, or the
// legacy `final_name`, never both; `blobstore: {provider, options}` says where final blobs are.

/** What `config/final.yml` says about the release. */
interface FinalConfig {
  readonly name: string;
  /** The blobstore provider (`s3`, `gcs`, `local`, ...), when given. */
  readonly blobstoreProvider?: string;
}

/** Reads `config/final.yml`; a missing or ambiguous name is a UserError. */
export function parseFinalConfig(text: string, path: string = FINAL_CONFIG_PATH): FinalConfig {
  const root = YamlFields.of(loadYaml(text, path), path, 'the document');
  const name = nonEmpty(root.optionalString('name'));
  const finalName = nonEmpty(root.optionalString('final_name'));
  if (name !== undefined && finalName !== undefined) {
    throw new UserError(
      `${path} has both name and final_name: keep only name (final_name is the old spelling)`,
    );
  }
  const releaseName = name ?? finalName;
  if (releaseName === undefined) {
    throw new UserError(
      `${path} has no release name: add "name: <release name>" (or set source.release_name)`,
    );
  }
  const provider = nonEmpty(root.optionalMapping('blobstore')?.optionalString('provider'));
  return provider === undefined
    ? { name: releaseName }
    : { name: releaseName, blobstoreProvider: provider };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Reads `config/final.yml` among metadata files; its absence is a UserError. */
export function readFinalConfig(files: MetadataFiles): FinalConfig {
  const text = files.get(FINAL_CONFIG_PATH);
  if (text === undefined) {
    throw new UserError(
      `${FINAL_CONFIG_PATH} is missing: this is not a BOSH release directory, or set source.release_name`,
    );
  }
  return parseFinalConfig(text);
}
