package io.strata.gateway.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * The progress display of the commands that follow a job on the gateway (heal, prefetch, tier move):
 * on a terminal one line rewritten in place, polled four times a second; on a pipe or a file a new
 * line at most every 5 seconds, polled once a second, so that a log is not flooded. Not thread-safe.
 */
final class Progress {
    private static final long PIPE_LINE_NANOS = 5_000_000_000L;

    private final PrintStream out;
    private final boolean tty;
    private long lastLine;

    Progress(PrintStream out) {
        this.out = out;
        this.tty = System.console() != null;
    }

    /** How long to wait before asking the gateway again. */
    long pollMillis() {
        return tty ? 250 : 1000;
    }

    /** Shows {@code line}: always on a terminal, else when {@code force} or 5 s after the last line. */
    void show(String line, boolean force) {
        long now = System.nanoTime();
        if (tty || force || now - lastLine > PIPE_LINE_NANOS) {
            out.print((tty ? "\r" : "") + line + (tty ? "" : "\n"));
            out.flush();
            lastLine = now;
        }
    }

    /** Ends the progress line (on a terminal the cursor is still on it). */
    void end() {
        if (tty) out.println();
    }

    /** Replaces the progress line with {@code line} and ends it. */
    void finish(String line) {
        out.print((tty ? "\r" : "") + line + "\n");
    }

    /** A 30-character bar, {@code [####------]}. */
    static String bar(double progress) {
        int width = 30;
        int filled = (int) Math.round(Math.clamp(progress, 0, 1) * width);
        return "[" + "#".repeat(filled) + "-".repeat(width - filled) + "]";
    }

    /** A byte count for people: B, KiB, MiB or GiB. */
    static String bytes(long n) {
        if (n < 1024) return n + " B";
        if (n < 1L << 20) return String.format(Locale.ROOT, "%.1f KiB", n / 1024.0);
        if (n < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", n / (double) (1L << 20));
        return String.format(Locale.ROOT, "%.2f GiB", n / (double) (1L << 30));
    }
}
