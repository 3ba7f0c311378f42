import { DeployError } from './errors.ts';

/** A value a template can insert; nested objects are reached with dots: `{{ bus.port }}`. */
export type TemplateValue = string | number | boolean | { readonly [key: string]: TemplateValue };

/** Variables of a template. */
export type TemplateVars = Readonly<Record<string, TemplateValue>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w-]*(?:\.[A-Za-z_][\w-]*)*)\s*\}\}/g;

function lookup(vars: TemplateVars, name: string): TemplateValue | undefined {
  let value: TemplateValue | undefined = vars as TemplateValue;
  for (const key of name.split('.')) {
    if (value === undefined || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = value[key];
  }
  return value;
}

/**
 * Fill `{{ name }}` and `{{ object.key }}` placeholders. Strict: a variable that is not defined,
 * or is an object rather than a value, is an error naming every such variable and its line.
 * There is no logic in templates: compute values in the script that builds the plan.
 *
 * @example renderTemplate('PORT={{ bus.port }}\n', { bus: { port: 8650 } }) // 'PORT=8650\n'
 */
export function renderTemplate(template: string, vars: TemplateVars, source = 'template'): string {
  const problems: string[] = [];
  const lines = template.split('\n');
  const rendered = lines.map((line, index) =>
    line.replace(PLACEHOLDER, (placeholder, name: string) => {
      const value = lookup(vars, name);
      if (value === undefined) problems.push(`"${name}" is not defined (${source} line ${index + 1})`);
      else if (typeof value === 'object')
        problems.push(`"${name}" is an object, not a value (${source} line ${index + 1})`);
      else return String(value);
      return placeholder;
    }),
  );
  if (problems.length > 0) {
    throw new DeployError('undefined_variable', `Template variables: ${problems.join('; ')}`);
  }
  return rendered.join('\n');
}
