// The error every throwing function of the package throws: an Error with the stable `code` of
// what went wrong and, where there are some, the violations ({ path, code, message, params }).
export class AgentRulesError extends Error {
  constructor(message, code, violations) {
    super(message);
    this.name = 'AgentRulesError';
    this.code = code;
    this.violations = violations ?? [];
  }
}

export function isAgentRulesError(value) {
  return value instanceof AgentRulesError;
}
