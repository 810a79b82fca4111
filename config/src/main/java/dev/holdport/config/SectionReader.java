package dev.holdport.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Reads typed values from one object of the config tree and turns every bad value into a
 * problem line ({@code <full.path>: <problem>}) instead of an exception, so that loading
 * reports all problems at once. A read that fails returns {@code null} (or empty); the
 * caller never builds a config from it because the problem list is then non-empty.
 *
 * <p>A route's settings are its own keys merged over {@code holdport.route-defaults}. When a
 * value came from the defaults, its problem names the defaults' path ({@code own} is the
 * route's object as written, {@code fallbackPath} where the rest came from), so a bad
 * default is reported once, where it is written.
 */
final class SectionReader {

    private final ConfigObject merged;
    private final String path;
    private final ConfigObject own;
    private final String fallbackPath;
    private final Collection<String> problems;

    private SectionReader(ConfigObject merged, String path, ConfigObject own, String fallbackPath,
                          Collection<String> problems) {
        this.merged = merged;
        this.path = path;
        this.own = own;
        this.fallbackPath = fallbackPath;
        this.problems = problems;
    }

    /** Reads {@code object}, found at {@code path}. */
    static SectionReader of(ConfigObject object, String path, Collection<String> problems) {
        return new SectionReader(object, path, object, path, problems);
    }

    /** Reads {@code own} (at {@code path}) with {@code fallback} (at {@code fallbackPath}) filling gaps. */
    static SectionReader withFallback(ConfigObject own, String path, ConfigObject fallback, String fallbackPath,
                                      Collection<String> problems) {
        return new SectionReader(own.withFallback(fallback), path, own, fallbackPath, problems);
    }

    String path() {
        return path;
    }

    /** The full path of {@code key}: where the value was written (the route, or the defaults). */
    String pathOf(String key) {
        boolean fromFallback = merged.containsKey(key) && !own.containsKey(key);
        return (fromFallback ? fallbackPath : path) + "." + key;
    }

    /** True when {@code key} is written in this object itself, not supplied by the fallback (defaults). */
    boolean isOwn(String key) {
        return own.containsKey(key);
    }

    void problem(String key, String text) {
        problems.add(pathOf(key) + ": " + text);
    }

    /** Reports every key the user wrote here that is not in {@code known}, with a hint. */
    void rejectUnknownKeys(Set<String> known) {
        for (String key : own.keySet()) {
            if (!known.contains(key)) {
                String hint = ConfigKeys.closest(key, known)
                        .map(k -> "did you mean \"" + k + "\"?")
                        .orElse("known keys: " + String.join(", ", known));
                problems.add(path + "." + key + ": unknown key (" + hint + ")");
            }
        }
    }

    /** The object under {@code key}; an empty object if absent, empty Optional (and a problem) if not an object. */
    Optional<SectionReader> section(String key) {
        ConfigValue value = merged.get(key);
        if (value == null || value.valueType() == ConfigValueType.NULL) {
            return Optional.of(of(ConfigFactory.empty().root(), path + "." + key, problems));
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            problem(key, describe(value) + " is not an object (write " + key + " { ... })");
            return Optional.empty();
        }
        ConfigValue ownValue = own.get(key);
        ConfigObject ownObject = ownValue instanceof ConfigObject ? (ConfigObject) ownValue : ConfigFactory.empty().root();
        return Optional.of(new SectionReader((ConfigObject) value, path + "." + key, ownObject,
                fallbackPath + "." + key, problems));
    }

    /** The keys of this object. */
    Set<String> keys() {
        return merged.keySet();
    }

    ConfigObject object() {
        return merged;
    }

    Optional<ConfigValue> value(String key) {
        ConfigValue value = merged.get(key);
        if (value == null || value.valueType() == ConfigValueType.NULL) {
            return Optional.empty();
        }
        return Optional.of(value);
    }

    Optional<String> optionalString(String key) {
        Optional<ConfigValue> value = value(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        switch (value.get().valueType()) {
            case STRING:
            case NUMBER:
            case BOOLEAN:
                return Optional.of(String.valueOf(value.get().unwrapped()));
            default:
                problem(key, describe(value.get()) + " is not a string");
                return Optional.empty();
        }
    }

    /** A string that must be present; null (and a problem) if it is not. */
    String requiredString(String key) {
        Optional<ConfigValue> value = value(key);
        if (value.isEmpty()) {
            problem(key, "is missing");
            return null;
        }
        return optionalString(key).orElse(null);
    }

    /**
     * A duration in HOCON form ({@code 500ms}, {@code 30s}, {@code 5m}; a bare number is
     * milliseconds). Never negative; {@code mustBePositive} also refuses zero.
     */
    Duration duration(String key, boolean mustBePositive) {
        Optional<ConfigValue> value = value(key);
        if (value.isEmpty()) {
            problem(key, "is missing");
            return null;
        }
        Duration duration;
        try {
            duration = merged.toConfig().getDuration(ConfigUtil.joinPath(key));
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            problem(key, describe(value.get()) + " is not a duration (e.g. 500ms, 30s, 5m)");
            return null;
        }
        if (duration.isNegative()) {
            problem(key, describe(value.get()) + " must not be negative");
            return null;
        }
        if (mustBePositive && duration.isZero()) {
            problem(key, describe(value.get()) + " must be greater than zero");
            return null;
        }
        return duration;
    }

    /** A boolean ({@code true}/{@code false}; HOCON also reads yes/no, on/off). */
    Boolean bool(String key) {
        Optional<ConfigValue> value = value(key);
        if (value.isEmpty()) {
            problem(key, "is missing");
            return null;
        }
        try {
            return merged.toConfig().getBoolean(ConfigUtil.joinPath(key));
        } catch (ConfigException.WrongType e) {
            problem(key, describe(value.get()) + " is not true or false");
            return null;
        }
    }

    /**
     * A command: a non-empty list of strings, the program first ({@code ["./bin/server", "--port", "9001"]}).
     * Never run through a shell, so a single string is refused rather than guessed apart.
     * Empty when the key is absent, or (with a problem) when it is not a valid command.
     */
    Optional<List<String>> command(String key) {
        Optional<ConfigValue> value = value(key);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        if (value.get().valueType() == ConfigValueType.STRING) {
            problem(key, describe(value.get()) + " is a string; write the command as a list of program and arguments,"
                    + " e.g. [\"./bin/server\", \"--verbose\"]");
            return Optional.empty();
        }
        if (value.get().valueType() != ConfigValueType.LIST) {
            problem(key, describe(value.get()) + " is not a list of strings (program and arguments)");
            return Optional.empty();
        }
        ConfigList list = (ConfigList) value.get();
        if (list.isEmpty()) {
            problem(key, "is an empty list (give the program and its arguments, or remove the key)");
            return Optional.empty();
        }
        List<String> words = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            ConfigValue element = list.get(i);
            switch (element.valueType()) {
                case STRING:
                case NUMBER:
                case BOOLEAN:
                    words.add(String.valueOf(element.unwrapped()));
                    break;
                default:
                    problem(key, "element " + i + " (" + describe(element) + ") is not a string");
                    return Optional.empty();
            }
        }
        if (words.get(0).isBlank()) {
            problem(key, "the program (first element) is empty");
            return Optional.empty();
        }
        return Optional.of(List.copyOf(words));
    }

    /** A whole number, at least {@code min}. */
    Integer integer(String key, int min) {
        Optional<ConfigValue> value = value(key);
        if (value.isEmpty()) {
            problem(key, "is missing");
            return null;
        }
        Object raw = value.get().unwrapped();
        long number;
        if (raw instanceof Integer || raw instanceof Long) {
            number = ((Number) raw).longValue();
        } else if (raw instanceof Number) {
            double d = ((Number) raw).doubleValue();
            if (d != Math.rint(d) || Double.isInfinite(d)) {
                problem(key, describe(value.get()) + " is not a whole number");
                return null;
            }
            number = (long) d;
        } else if (raw instanceof String) {
            try {
                number = Long.parseLong(((String) raw).trim());
            } catch (NumberFormatException e) {
                problem(key, describe(value.get()) + " is not a number");
                return null;
            }
        } else {
            problem(key, describe(value.get()) + " is not a number");
            return null;
        }
        if (number < min) {
            problem(key, describe(value.get()) + (min == 0 ? " must not be negative" : " must be at least " + min));
            return null;
        }
        if (number > Integer.MAX_VALUE) {
            problem(key, describe(value.get()) + " is too large (at most " + Integer.MAX_VALUE + ")");
            return null;
        }
        return (int) number;
    }

    /** A required {@code host:port}; port 0 (pick a free port) only where {@code portZeroAllowed}. */
    HostPort hostPort(String key, boolean portZeroAllowed) {
        String text = requiredString(key);
        if (text == null) {
            return null;
        }
        HostPort hostPort;
        try {
            hostPort = HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            problem(key, e.getMessage());
            return null;
        }
        if (!portZeroAllowed && hostPort.port() == 0) {
            problem(key, '"' + text + "\": port 0 is out of range 1-65535");
            return null;
        }
        return hostPort;
    }

    /** One of an enum's values, spelled as {@code configName} gives it. */
    <E extends Enum<E>> E choice(String key, E[] choices, Function<E, String> configName) {
        String text = requiredString(key);
        if (text == null) {
            return null;
        }
        for (E choice : choices) {
            if (configName.apply(choice).equals(text.trim())) {
                return choice;
            }
        }
        StringBuilder allowed = new StringBuilder();
        for (E choice : choices) {
            allowed.append(allowed.length() == 0 ? "" : ", ").append(configName.apply(choice));
        }
        problem(key, '"' + text + "\" is not one of " + allowed);
        return null;
    }

    Optional<Path> optionalPath(String key) {
        Optional<String> text = optionalString(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        if (text.get().isBlank()) {
            problem(key, "is empty");
            return Optional.empty();
        }
        try {
            return Optional.of(Path.of(text.get()));
        } catch (InvalidPathException e) {
            problem(key, '"' + text.get() + "\" is not a valid path (" + e.getReason() + ")");
            return Optional.empty();
        }
    }

    /** How a value reads in a problem: strings quoted as written, numbers bare, objects by kind. */
    static String describe(ConfigValue value) {
        switch (value.valueType()) {
            case STRING:
                return '"' + (String) value.unwrapped() + '"';
            case OBJECT:
                return "an object";
            case LIST:
                return "a list";
            case NULL:
                return "null";
            default:
                return String.valueOf(value.unwrapped());
        }
    }
}
