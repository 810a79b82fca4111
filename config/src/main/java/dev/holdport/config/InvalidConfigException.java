package dev.holdport.config;

import java.util.List;

/**
 * A configuration holdport refuses to start with. Carries every problem found, not only the
 * first, each as {@code <full.path>: <problem>} (or {@code <file>: <line>: <problem>} for a
 * syntax error), so one run of {@code holdport check-config} shows everything to fix.
 */
public final class InvalidConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    private final List<String> problems;

    public InvalidConfigException(List<String> problems) {
        super(String.join("\n", problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an invalid config has at least one problem");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem, in the order found; one line each. */
    public List<String> problems() {
        return problems;
    }
}
