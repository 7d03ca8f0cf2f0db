import { commandScorer } from './command.js';
import { matchScorer } from './match.js';
export { matches } from './match.js';
export async function scoreSample(spec, input) {
    switch (spec.type) {
        case 'command':
            return commandScorer.score(spec, input);
        case 'match':
            return matchScorer.score(spec, input);
    }
}
//# sourceMappingURL=index.js.map