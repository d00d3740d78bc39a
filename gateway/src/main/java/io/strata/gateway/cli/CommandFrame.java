package io.strata.gateway.cli;

import io.strata.gateway.config.StrataConfig;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Set;

/**
 * What the commands that speak to a running gateway do around their own work: parse the arguments
 * ({@link Args}), answer {@code --help}, and turn failures into the exit statuses they all share:
 * 2 for a command line that cannot run (usage, configuration), 3 when the gateway cannot be reached
 * or refuses, 130 when interrupted (Ctrl-C). Stateless.
 */
final class CommandFrame {
    /** A command's own work; returns its exit status. */
    @FunctionalInterface
    interface Body {
        int run(Args args) throws IOException, InterruptedException, AdminClient.AdminError;
    }

    private CommandFrame() {
    }

    /**
     * Runs {@code body} with {@code argv} parsed from index 1 (after the command's name).
     *
     * @param switches the switches the command takes, without the dashes
     * @param options  the options with a value the command takes besides the common ones
     */
    static int run(String[] argv, String usage, Set<String> switches, Set<String> options, PrintStream out,
                   PrintStream err, Body body) {
        Args a;
        try {
            a = Args.parse(argv, 1, switches, options);
        } catch (Args.UsageException e) {
            err.println("strata: " + e.getMessage());
            if (e.showUsage()) err.print(usage);
            return 2;
        }
        if (a.help()) {
            out.print(usage);
            return 0;
        }
        try {
            return body.run(a);
        } catch (IllegalArgumentException | StrataConfig.ConfigException e) {
            err.println("strata: " + e.getMessage());
            return 2;
        } catch (AdminClient.AdminError e) {
            err.println("strata: " + e.getMessage());
            return 3;
        } catch (IOException e) {
            err.println("strata: cannot reach the gateway: " + e);
            return 3;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 130;
        }
    }
}
