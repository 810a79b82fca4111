package dev.holdport.config;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every key holdport knows, one set per level of the config tree. A key found in a config
 * file but not here is reported as a problem (with the closest known key as a hint), so a
 * typo never silently falls back to a default. To add a setting, add its key here and read
 * it in {@link ConfigLoader}; give it a default in {@code reference.conf}.
 */
final class ConfigKeys {

    /** Keys directly under {@code holdport}. */
    static final Set<String> HOLDPORT = ordered(
            "transport", "event-loop-threads", "max-client-connections", "state-file", "state-dir", "shutdown", "admin", "routes", "route-defaults",
            "slot-defaults");

    /** Keys under {@code holdport.shutdown}. */
    static final Set<String> SHUTDOWN = ordered("drain-timeout");

    /** Keys under {@code holdport.admin}. */
    static final Set<String> ADMIN = ordered("listen", "token", "unix-socket");

    /**
     * The sections of a route that {@code holdport.route-defaults} may supply, each with its
     * own keys. A section is an object ({@code hold { timeout = 2m }}).
     */
    static final Map<String, Set<String>> ROUTE_SECTIONS = sections(
            "backend", ordered("connect-timeout", "retry-refused-for", "proxy-protocol"),
            "hold", ordered("max-connections", "timeout", "on-timeout"),
            "pause", ordered("max-duration"),
            "resume", ordered("max-rate"),
            "drain", ordered("timeout"));

    /** Plain (non-section) keys that {@code holdport.route-defaults} may supply. */
    static final Set<String> ROUTE_DEFAULT_VALUES = ordered("backlog", "client-keepalive");

    /** Keys only a route itself may set (no default makes sense for them). */
    static final Set<String> ROUTE_ONLY = ordered("listen", "slots", "active");

    /** Keys under {@code holdport.route-defaults}. */
    static final Set<String> ROUTE_DEFAULTS = union(ROUTE_DEFAULT_VALUES, ROUTE_SECTIONS.keySet());

    /** Keys under {@code holdport.routes.<route>}. */
    static final Set<String> ROUTE = union(ROUTE_ONLY, ROUTE_DEFAULTS);

    /**
     * Keys of a slot's process supervision; {@code holdport.slot-defaults} may supply any of
     * them for every slot.
     */
    static final Set<String> SLOT_DEFAULTS = ordered("start", "stop", "stop-timeout", "ready", "stop-on-exit");

    /** Keys under {@code holdport.routes.<route>.slots.<slot>}. */
    static final Set<String> SLOT = union(ordered("address", "path"), SLOT_DEFAULTS);

    /** Keys under {@code holdport.routes.<route>.slots.<slot>.ready}. */
    static final Set<String> READY = ordered("type", "url", "command", "interval", "timeout", "successes");

    private ConfigKeys() {}

    /**
     * The known key a typo most likely meant: the one with the smallest edit distance, if
     * that distance is small for the key's length, else a known key the unknown one
     * abbreviates ({@code drain} for {@code drain-timeout}).
     */
    static Optional<String> closest(String unknown, Set<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = editDistance(unknown, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        int tolerated = Math.max(2, Math.min(unknown.length(), best == null ? 0 : best.length()) / 3);
        if (bestDistance <= tolerated) {
            return Optional.of(best);
        }
        return known.stream()
                .filter(candidate -> unknown.length() >= 3 && candidate.startsWith(unknown))
                .findFirst();
    }

    /** Levenshtein distance: insertions, deletions and substitutions needed to turn a into b. */
    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private static Set<String> ordered(String... keys) {
        return java.util.Collections.unmodifiableSet(new LinkedHashSet<>(java.util.List.of(keys)));
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new LinkedHashSet<>(a);
        all.addAll(b);
        return java.util.Collections.unmodifiableSet(all);
    }

    private static Map<String, Set<String>> sections(Object... nameThenKeys) {
        Map<String, Set<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < nameThenKeys.length; i += 2) {
            @SuppressWarnings("unchecked")
            Set<String> keys = (Set<String>) nameThenKeys[i + 1];
            map.put((String) nameThenKeys[i], keys);
        }
        return java.util.Collections.unmodifiableMap(map);
    }
}
