package dev.holdport.bench.run;

import dev.holdport.bench.load.LoadClient;
import dev.holdport.bench.process.PidFile;
import dev.holdport.bench.report.Results;
import dev.holdport.bench.target.HoldportTarget;
import dev.holdport.bench.target.Target;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** What the scenarios share during a run: settings, targets, the load client, and the results. */
public final class RunContext {

    /** One target's measurement in one round. */
    @FunctionalInterface
    public interface Measurement {
        void measure(Target target, int round) throws Exception;
    }

    private final RunSettings settings;
    private final Results results;
    private final LoadClient client;
    private final List<Target> targets;
    private final HoldportTarget holdport;
    private final BackendProcess deployBackend;
    private final Path workDir;
    private final PidFile pids;
    private final Progress progress;

    RunContext(RunSettings settings, Results results, LoadClient client, List<Target> targets,
               HoldportTarget holdport, BackendProcess deployBackend, Path workDir, PidFile pids, Progress progress) {
        this.settings = settings;
        this.results = results;
        this.client = client;
        this.targets = List.copyOf(targets);
        this.holdport = holdport;
        this.deployBackend = deployBackend;
        this.workDir = workDir;
        this.pids = pids;
        this.progress = progress;
    }

    public RunSettings settings() {
        return settings;
    }

    public Results results() {
        return results;
    }

    public LoadClient client() {
        return client;
    }

    /** Every target that started, direct first. */
    public List<Target> targets() {
        return targets;
    }

    public Optional<Target> target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    public Optional<HoldportTarget> holdport() {
        return Optional.ofNullable(holdport);
    }

    /** The backend process behind the deploy route, which the deploy scenario restarts. */
    public BackendProcess deployBackend() {
        return deployBackend;
    }

    public Path workDir() {
        return workDir;
    }

    /** Where every child process (servers and external clients) is registered until it ends. */
    public PidFile pids() {
        return pids;
    }

    /**
     * Runs {@code measurement} for every round and, within each round, for every target in turn
     * (interleaved, so a slow drift of the machine hits all targets alike). A failed measurement
     * is recorded as an error and the run goes on.
     */
    public void eachRound(String scenario, List<Target> which, Measurement measurement) throws InterruptedException {
        for (int round = 1; round <= settings.rounds(); round++) {
            eachTarget(scenario, which, round, measurement);
        }
    }

    /** One round of {@link #eachRound}: every target in turn, a failure recorded as an error. */
    public void eachTarget(String scenario, List<Target> which, int round, Measurement measurement) throws InterruptedException {
        for (Target target : which) {
            progress.show(scenario, target.name(), round, settings.rounds());
            attempt(scenario, target, round, measurement);
        }
    }

    /** Runs one measurement; a failure is recorded as an error of the run and answered with false. */
    public boolean attempt(String scenario, Target target, int round, Measurement measurement) throws InterruptedException {
        try {
            measurement.measure(target, round);
            return true;
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            failed(scenario, target, round, e);
            return false;
        }
    }

    /** Records a target's failed measurement as an error of the run, which goes on. */
    public void failed(String scenario, Target target, int round, Exception e) {
        String message = scenario + "/" + target.name() + " round " + round + " failed: " + describe(e);
        results.error(message);
        progress.note(message);
    }

    public void note(String message) {
        progress.note(message);
    }

    public void progress(String scenario, String what, int round) {
        progress.show(scenario, what, round, settings.rounds());
    }

    static String describe(Throwable e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()));
        for (Throwable cause = e.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
            text.append(" (").append(cause.getClass().getSimpleName()).append(": ").append(cause.getMessage()).append(')');
        }
        return text.toString();
    }
}
