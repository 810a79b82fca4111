package dev.holdport.bench.report;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything one run measured, in the order measured: the figures per target and round, the
 * deploy and hold-capacity rows, and every target or step that was skipped, with the reason.
 * Serialised as is to the JSON results file.
 */
public final class Results {

    private final OffsetDateTime started = OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS);
    private final MachineInfo machine;
    private final Map<String, Object> settings;
    private final List<String> targets = new ArrayList<>();
    private final Map<String, String> skipped = new LinkedHashMap<>();
    private final Map<String, Figure> figures = new LinkedHashMap<>();
    private final List<DeployRow> deploy = new ArrayList<>();
    private final List<HoldRow> hold = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();

    public Results(MachineInfo machine, Map<String, Object> settings) {
        this.machine = machine;
        this.settings = settings;
    }

    public synchronized void addTarget(String name) {
        targets.add(name);
    }

    /** Records that {@code what} (a target, or "scenario/target") did not run, and why. */
    public synchronized void skip(String what, String reason) {
        skipped.put(what, reason);
    }

    /** Records {@code target}'s value of a figure in {@code round} (from 1). */
    public synchronized void add(Figure template, String target, int round, double value) {
        figures.computeIfAbsent(template.id(), id -> Figure.empty(template.id(), template.scenario(),
                template.label(), template.unit(), template.higherIsBetter())).add(target, round, value);
    }

    public synchronized void add(DeployRow row) {
        deploy.add(row);
    }

    public synchronized void add(HoldRow row) {
        hold.add(row);
    }

    public synchronized void error(String message) {
        errors.add(message);
    }

    /** When the run started, ISO-8601 with offset. */
    public String getStarted() {
        return started.toString();
    }

    /** The run's local date, for file names and titles (not a JSON property). */
    public LocalDate date() {
        return started.toLocalDate();
    }

    public MachineInfo getMachine() {
        return machine;
    }

    public Map<String, Object> getSettings() {
        return settings;
    }

    public synchronized List<String> getTargets() {
        return List.copyOf(targets);
    }

    public synchronized Map<String, String> getSkipped() {
        return new LinkedHashMap<>(skipped);
    }

    public synchronized List<Figure> getFigures() {
        return List.copyOf(figures.values());
    }

    public synchronized List<DeployRow> getDeploy() {
        return List.copyOf(deploy);
    }

    public synchronized List<HoldRow> getHold() {
        return List.copyOf(hold);
    }

    public synchronized List<String> getErrors() {
        return List.copyOf(errors);
    }
}
