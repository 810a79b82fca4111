package dev.holdport.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last {@value #KEEP} deploys, kept in {@code <state-dir>/deploys.json} across restarts.
 * Every change is written at once (temp file, fsync, rename), so the file always holds a whole
 * history; a deploy found running when the history is loaded was cut short by holdport stopping
 * and is marked {@code interrupted}.
 */
final class DeployHistory {

    static final int KEEP = 50;

    private static final Logger log = LoggerFactory.getLogger(DeployHistory.class);

    private final Path file;
    private final Map<String, Deploy> byId = new LinkedHashMap<>();
    private final List<Deploy> interruptedAtLoad = new ArrayList<>();

    private DeployHistory(Path file) {
        this.file = file;
    }

    static DeployHistory load(Path file) {
        DeployHistory history = new DeployHistory(file);
        if (!Files.exists(file)) {
            return history;
        }
        try {
            JsonNode array = DeployJson.mapper().readTree(file.toFile());
            for (JsonNode json : array) {
                Deploy d = DeployJson.fromJson(json);
                if (!d.finished()) {
                    d = interrupted(d);
                    history.interruptedAtLoad.add(d);
                }
                history.byId.put(d.id(), d);
            }
            log.info("deploy history: {} deploys loaded from {}", history.byId.size(), file);
            if (!history.interruptedAtLoad.isEmpty()) {
                // Recorded as interrupted now, so the next start does not find them running
                // again and blame its own predecessor's stop for them.
                try {
                    history.write();
                } catch (RuntimeException e) {
                    log.warn("deploy history {}: cannot record the interrupted deploys yet ({}): the next change will",
                            file, e.getMessage());
                }
            }
        } catch (IOException | RuntimeException e) {
            log.warn("deploy history {} is unreadable ({}): starting with an empty history", file, e.getMessage());
            history.byId.clear();
        }
        return history;
    }

    /** The deploys that were running when holdport stopped, as found at load. */
    List<Deploy> interruptedAtLoad() {
        return List.copyOf(interruptedAtLoad);
    }

    /** Adds or replaces (by id) a deploy and writes the file. */
    synchronized void put(Deploy deploy) {
        byId.put(deploy.id(), deploy);
        trim();
        write();
    }

    /**
     * The route has been resumed: its newest deploy, if it was interrupted leaving the route
     * paused, no longer has the route paused, so the next holdport does not take a pause made
     * later for that deploy's ({@link CutShortDeploys#leftRouteMidway}). Writes only when that
     * changes.
     */
    synchronized void routeResumed(String route) {
        list().stream()
                .filter(d -> d.route().equals(route))
                .findFirst()
                .filter(DeployRun::interruptedLeavingRoutePaused)
                .ifPresent(d -> {
                    DeployFailure was = d.failure().orElseThrow();
                    put(new Deploy(d.id(), d.route(), d.slot(), d.fromSlot(), d.mode(), d.rollback(), d.timeout(),
                            d.startedAt(), d.finishedAt(), d.state(), d.steps(),
                            Optional.of(new DeployFailure(was.step(), was.reason(), false))));
                });
    }

    /** Newest first. */
    synchronized List<Deploy> list() {
        List<Deploy> all = new ArrayList<>(byId.values());
        all.sort(Comparator.comparing(Deploy::startedAt).reversed());
        return all;
    }

    synchronized Optional<Deploy> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    private void trim() {
        if (byId.size() <= KEEP) {
            return;
        }
        List<Deploy> oldestFirst = new ArrayList<>(byId.values());
        oldestFirst.sort(Comparator.comparing(Deploy::startedAt));
        for (Deploy d : oldestFirst) {
            if (byId.size() <= KEEP) {
                break;
            }
            if (d.finished()) {
                byId.remove(d.id());
            }
        }
    }

    private void write() {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            byte[] bytes = DeployJson.mapper().writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(DeployJson.toJson(list()));
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(java.nio.ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.error("cannot write the deploy history {}: {}", file, e.toString());
        }
    }

    private static Deploy interrupted(Deploy d) {
        List<DeployStep> steps = new ArrayList<>();
        for (DeployStep s : d.steps()) {
            steps.add(s.outcome() == StepOutcome.RUNNING
                    ? new DeployStep(s.action(), s.slot(), s.rollback(), s.startedAt(), s.duration(), StepOutcome.CANCELLED,
                            "holdport stopped during this step")
                    : s);
        }
        String step = d.currentStep().map(DeployStep::name).orElse("-");
        Instant lastSeen = d.steps().stream()
                .map(s -> s.startedAt().plus(s.duration()))
                .max(Comparator.naturalOrder())
                .orElse(d.startedAt());
        return new Deploy(d.id(), d.route(), d.slot(), d.fromSlot(), d.mode(), d.rollback(), d.timeout(), d.startedAt(),
                Optional.of(lastSeen), DeployState.INTERRUPTED, steps,
                Optional.of(new DeployFailure(step, "holdport stopped while the deploy was running")));
    }
}
