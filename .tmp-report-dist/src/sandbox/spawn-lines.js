import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
/**
 * Runs a host command, forwarding each output line to `onLine`; rejects with the command's last
 * lines when it exits non-zero, so build failures say what went wrong.
 */
export function spawnLines(cmd, args, onLine) {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
        const recent = [];
        const take = (line) => {
            recent.push(line);
            if (recent.length > 20)
                recent.shift();
            onLine(line);
        };
        createInterface({ input: child.stdout }).on('line', take);
        createInterface({ input: child.stderr }).on('line', take);
        child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
        child.on('close', (code, signal) => {
            if (code === 0)
                resolve();
            else {
                const why = signal ? `signal ${signal}` : `exit code ${code}`;
                reject(new Error(`${cmd} failed (${why}):\n${recent.join('\n')}`));
            }
        });
    });
}
//# sourceMappingURL=spawn-lines.js.map