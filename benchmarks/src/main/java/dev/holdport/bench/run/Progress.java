package dev.holdport.bench.run;

import java.io.PrintStream;

/**
 * The progress line on stderr: scenario, target, round. On a terminal it rewrites one line;
 * otherwise (CI logs) it prints one line per step.
 */
final class Progress {

    private final PrintStream out = System.err;
    private final boolean terminal = System.console() != null;
    private final long started = System.nanoTime();

    void show(String scenario, String target, int round, int rounds) {
        String line = String.format("[%4.0fs] %-16s %-28s round %d/%d", (System.nanoTime() - started) / 1e9,
                scenario, target, round, rounds);
        if (terminal) {
            out.print("\r" + line + "   ");
        } else {
            out.println(line);
        }
        out.flush();
    }

    void note(String message) {
        if (terminal) {
            out.print("\r");
        }
        out.println(message);
        out.flush();
    }

    void done() {
        if (terminal) {
            out.println();
        }
    }
}
