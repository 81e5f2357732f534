/** One problem with one environment variable. */
export interface ConfigIssue {
  /** The variable the operator has to fix, e.g. `PORT` or `STATIC_API_KEY_FILE`. */
  readonly variable: string;
  /** Stable, greppable: `LATCHKEY_ERR_CONFIG_<VARIABLE>`. */
  readonly code: string;
  /** Names the variable and says what is allowed, e.g. `PORT must be an integer from 0 to 65535 (got "abc")`. */
  readonly message: string;
}

/** The stable error code for a variable: `LATCHKEY_ERR_CONFIG_APP_URL`. */
export function configErrorCode(variable: string): string {
  return `LATCHKEY_ERR_CONFIG_${variable}`;
}

/**
 * The configuration cannot be used. The CLI prints `message` and exits 1.
 *
 * `code` and `variable` describe the first problem (in schema order); `issues` lists every problem found,
 * so an operator can fix them all in one go.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code: string;
  readonly variable: string;
  readonly issues: readonly ConfigIssue[];

  constructor(variable: string, message: string, options?: { cause?: unknown });
  constructor(issues: readonly ConfigIssue[]);
  constructor(
    variableOrIssues: string | readonly ConfigIssue[],
    message?: string,
    options?: { cause?: unknown },
  ) {
    const issues: readonly ConfigIssue[] =
      typeof variableOrIssues === 'string'
        ? [{ variable: variableOrIssues, code: configErrorCode(variableOrIssues), message: message ?? '' }]
        : variableOrIssues;
    const first = issues[0];
    if (!first) throw new TypeError('ConfigError needs at least one issue');
    super(
      issues.length === 1
        ? first.message
        : `${first.message}\nAlso:\n${issues
            .slice(1)
            .map((issue) => `  - ${issue.message}`)
            .join('\n')}`,
      options,
    );
    this.code = first.code;
    this.variable = first.variable;
    this.issues = Object.freeze([...issues]);
  }
}
