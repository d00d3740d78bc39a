package io.strata.gateway.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The arguments of one {@code strata} command, parsed the same way for every command: {@code --name
 * value} or {@code --name=value} options, {@code --name} switches, {@code --help}/{@code -h}, and
 * positional arguments (anything not starting with {@code --}). Each command names the options and
 * switches it takes; the options that find the gateway ({@code --config}, {@code --host},
 * {@code --port}, {@code --data-dir}) are common to all. Not thread-safe; one per command.
 */
final class Args {
    /** Options every command takes: where the gateway's configuration and data are. */
    private static final Map<String, String> CONFIG_OPTIONS =
            Map.of("host", "server.host", "port", "server.port", "data-dir", "storage.data-dir");

    /** A command line that cannot be run; the message is printed after "strata: ". */
    static final class UsageException extends Exception {
        private final boolean showUsage;

        UsageException(String message, boolean showUsage) {
            super(message, null, false, false);
            this.showUsage = showUsage;
        }

        /** Whether the command's usage text should follow the message. */
        boolean showUsage() {
            return showUsage;
        }
    }

    private final List<String> positional = new ArrayList<>();
    private final Set<String> switches = new HashSet<>();
    private final Map<String, String> options = new LinkedHashMap<>();
    /** Every value of each option, in order, for the options a command lets repeat ({@code --bucket a --bucket b}). */
    private final Map<String, List<String>> repeated = new LinkedHashMap<>();
    private boolean help;

    private Args() {
    }

    /**
     * Parses {@code args} from index {@code from} (after the command's own name).
     *
     * @param switchNames the switches this command takes, without the dashes
     * @param optionNames the options with a value this command takes besides the common ones
     * @throws UsageException for an unknown option or an option without its value
     */
    static Args parse(String[] args, int from, Set<String> switchNames, Set<String> optionNames) throws UsageException {
        Args result = new Args();
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                result.help = true;
                return result;
            }
            if (!a.startsWith("--")) {
                result.positional.add(a);
                continue;
            }
            int eq = a.indexOf('=');
            String name = eq > 0 ? a.substring(2, eq) : a.substring(2);
            if (eq < 0 && switchNames.contains(name)) {
                result.switches.add(name);
                continue;
            }
            if (!optionNames.contains(name) && !name.equals("config") && !CONFIG_OPTIONS.containsKey(name)) {
                throw new UsageException("unknown option --" + name + "\n", true);
            }
            String value;
            if (eq > 0) {
                value = a.substring(eq + 1);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                throw new UsageException("option " + a + " needs a value", false);
            }
            result.options.put(name, value);
            result.repeated.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        }
        return result;
    }

    /** {@code --help} or {@code -h} was given: print the usage and do nothing else. */
    boolean help() {
        return help;
    }

    List<String> positional() {
        return positional;
    }

    boolean has(String switchName) {
        return switches.contains(switchName);
    }

    /** The value of the first of {@code names} that was given, or null. */
    String option(String... names) {
        for (String n : names) {
            if (options.containsKey(n)) return options.get(n);
        }
        return null;
    }

    /** Every value given for option {@code name}, in order (empty when none). */
    List<String> all(String name) {
        return repeated.getOrDefault(name, List.of());
    }

    /** The options that are not about finding the gateway, in the order given ({@code strata tier add}'s settings). */
    Map<String, String> settings(Set<String> names) {
        Map<String, String> result = new LinkedHashMap<>();
        options.forEach((k, v) -> {
            if (names.contains(k)) result.put(k, v);
        });
        return result;
    }

    /** {@code --config FILE}, or null ({@code STRATA_CONFIG} is used then, if set). */
    Path configFile() {
        String file = options.get("config");
        return file == null ? null : Path.of(file);
    }

    /** {@code --host}, {@code --port} and {@code --data-dir} as the configuration keys they set. */
    Map<String, String> configFlags() {
        Map<String, String> flags = new HashMap<>();
        CONFIG_OPTIONS.forEach((option, key) -> {
            if (options.containsKey(option)) flags.put(key, options.get(option));
        });
        return flags;
    }
}
