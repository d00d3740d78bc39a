package io.strata.gateway.config;

import java.time.Instant;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The gateway picks the log backend: SLF4J routes to java.util.logging, printed as one structured
 * line per event (logfmt: ts, level, logger, msg) on stderr.
 */
public final class Logging {
    private Logging() {
    }

    /** Routes SLF4J output to stderr as logfmt lines, {@code io.strata} at {@code level} (ERROR, WARN, INFO, DEBUG, TRACE). */
    public static void configure(String level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler h = new ConsoleHandler();
        h.setLevel(Level.ALL);
        h.setFormatter(new Logfmt());
        root.addHandler(h);
        root.setLevel(Level.INFO);
        Logger.getLogger("io.strata").setLevel(julLevel(level));
        // Helidon's own INFO lines (feature banners) add noise to the operator's console.
        Logger.getLogger("io.helidon").setLevel(Level.WARNING);
    }

    static final class Logfmt extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder sb = new StringBuilder(160);
            sb.append("ts=").append(Instant.ofEpochMilli(r.getMillis()))
                    .append(" level=").append(level(r.getLevel()))
                    .append(" logger=").append(r.getLoggerName())
                    .append(" msg=\"").append(escape(formatMessage(r))).append('"');
            if (r.getThrown() != null) {
                sb.append(" error=\"").append(escape(r.getThrown().toString())).append('"');
                java.io.StringWriter sw = new java.io.StringWriter();
                r.getThrown().printStackTrace(new java.io.PrintWriter(sw));
                sb.append('\n').append(sw);
            }
            return sb.append('\n').toString();
        }

        private static String level(Level l) {
            if (l.intValue() >= Level.SEVERE.intValue()) return "ERROR";
            if (l.intValue() >= Level.WARNING.intValue()) return "WARN";
            if (l.intValue() >= Level.INFO.intValue()) return "INFO";
            return "DEBUG";
        }

        private static String escape(String s) {
            return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
        }
    }

    static Level julLevel(String level) {
        return switch (level) {
            case "ERROR" -> Level.SEVERE;
            case "WARN" -> Level.WARNING;
            case "DEBUG" -> Level.FINE;
            case "TRACE" -> Level.FINEST;
            default -> Level.INFO;
        };
    }
}
