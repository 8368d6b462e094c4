import { UserError } from '../errors.js';

interface TemplateValues {
  release_name: string;
  version: string;
  build_url: string;
}

/** Fills `{{release_name}}`, `{{version}}` and `{{build_url}}`; any other placeholder is an error. */
export function renderTemplate(template: string, values: TemplateValues, field: string): string {
  return template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_match, name: string) => {
    if (Object.hasOwn(values, name)) return values[name as keyof TemplateValues];
    throw new UserError(
      `${field}: unknown placeholder {{${name}}}: use {{release_name}}, {{version}} or {{build_url}}`,
    );
  });
}
