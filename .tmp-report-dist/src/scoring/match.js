export function matches(spec, answer) {
    const flags = spec.ignore_case ? 'i' : '';
    const norm = (s) => (spec.ignore_case ? s.toLowerCase() : s);
    switch (spec.mode) {
        case 'equals':
            return norm(answer.trim()) === norm(spec.expected.trim());
        case 'contains':
            return norm(answer).includes(norm(spec.expected));
        case 'regex':
            return new RegExp(spec.expected, flags).test(answer);
    }
}
/** Checks the agent's final answer against an expected string or pattern. */
export const matchScorer = {
    type: 'match',
    async score(spec, { finalAnswer }) {
        if (finalAnswer === null)
            return { passed: false, score: 0, detail: 'no final answer' };
        const passed = matches(spec, finalAnswer);
        return {
            passed,
            score: passed ? 1 : 0,
            detail: `${spec.mode} ${JSON.stringify(spec.expected)}: ${passed ? 'matched' : 'no match'}`,
        };
    },
};
//# sourceMappingURL=match.js.map