package dev.holdport.deploy;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One slot's process as holdport supervises it, at one instant (for status pages and metrics).
 *
 * @param route      the route
 * @param slot       the slot
 * @param supervised whether the slot has a start command (the other fields are empty/zero if not)
 * @param running    whether its process runs now
 * @param pid        its process id while running
 * @param startedAt  when the running process started
 * @param adopted    true when the running process was started by an earlier holdport and adopted
 * @param crashes    exits holdport did not cause, since holdport started
 * @param restarts   starts by the crash guard after a crash, since holdport started
 * @param lastExit   how the last process ended ("exited with status 1"), if one did
 * @param logFile    where its output goes
 */
public record SlotProcessStatus(
        String route,
        String slot,
        boolean supervised,
        boolean running,
        OptionalLong pid,
        Optional<Instant> startedAt,
        boolean adopted,
        long crashes,
        long restarts,
        Optional<String> lastExit,
        Optional<Path> logFile) {}
