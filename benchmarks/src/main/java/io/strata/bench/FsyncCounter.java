package io.strata.bench;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Counts the sync calls a running server makes over a stretch of load, with {@code strace -f -c -p
 * PID} (Linux; {@code S3Load --count-fsyncs}). Every call is counted, whatever it syncs (shard
 * file, directory, RocksDB WAL or SST), since each one is a wait for the drive that a per-object
 * write path pays; {@code sync_file_range} and {@code msync} are counted beside fsync and fdatasync
 * because RocksDB and mapped files sync through them.
 *
 * <p>{@link #attach} returns only once strace has seized every thread the process has (a thread it
 * missed would make syncs go uncounted); threads started later are followed ({@code -f}). Tracing
 * without a seccomp filter (strace cannot install one in a process it did not start) stops the
 * server at every system call, so the traced stretch is slow and measures nothing but the count.
 * {@link #close} ends strace, which detaches from every thread and writes its summary; it is also
 * ended if this JVM exits first. Not thread-safe; one counter at a time per process.
 */
final class FsyncCounter implements AutoCloseable {
    static final List<String> CALLS = List.of("fsync", "fdatasync", "msync", "sync_file_range");
    private static final long ATTACH_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final long pid;
    private final Process strace;
    private final Path summary;
    private final Path messages;
    private final Thread onExit;

    private FsyncCounter(long pid, Process strace, Path summary, Path messages) {
        this.pid = pid;
        this.strace = strace;
        this.summary = summary;
        this.messages = messages;
        // Ended by a signal (Ctrl-C, a benchmark script's timeout) while attached: strace goes, and its files.
        this.onExit = new Thread(() -> {
            strace.destroy();
            try {
                strace.waitFor(5, TimeUnit.SECONDS);
                Files.deleteIfExists(summary);
                Files.deleteIfExists(messages);
            } catch (IOException | InterruptedException e) {
                // exiting anyway; the files are small temporary ones
            }
        });
        Runtime.getRuntime().addShutdownHook(onExit);
    }

    /**
     * Starts strace on {@code pid} and waits until it traces all of the process's threads.
     *
     * @throws IOException naming the reason when strace is missing, may not trace the process
     *         (ptrace not permitted) or has not seized every thread within a minute
     */
    static FsyncCounter attach(long pid) throws IOException, InterruptedException {
        if (pid <= 0) throw new IOException("no server process id (--pid) to trace");
        Path summary = Files.createTempFile("strata-fsyncs", ".txt");
        Path messages = Files.createTempFile("strata-strace", ".log");
        Process strace;
        try {
            strace = new ProcessBuilder("strace", "-f", "-c", "-e", "trace=" + String.join(",", CALLS),
                    "-o", summary.toString(), "-p", Long.toString(pid))
                    .redirectErrorStream(true).redirectOutput(messages.toFile()).start();
        } catch (IOException e) {
            Files.deleteIfExists(summary);
            Files.deleteIfExists(messages);
            throw new IOException("cannot run strace: " + e.getMessage(), e);
        }
        FsyncCounter counter = new FsyncCounter(pid, strace, summary, messages);
        long deadline = System.nanoTime() + ATTACH_TIMEOUT_NANOS;
        // Bounded poll: strace reports no "done attaching", but each thread's status names its tracer.
        while (!counter.tracesEveryThread()) {
            if (strace.waitFor(20, TimeUnit.MILLISECONDS) || System.nanoTime() - deadline > 0) {
                String why = strace.isAlive() ? "strace did not seize every thread of " + pid + " within 60 s"
                        : "strace exited: " + counter.firstMessage();
                counter.discard();
                throw new IOException(why);
            }
        }
        return counter;
    }

    /** True when every current thread of the process is traced by our strace. */
    private boolean tracesEveryThread() throws IOException {
        String tracer = Long.toString(strace.pid());
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String status;
                try {
                    status = Files.readString(task.resolve("status"));
                } catch (NoSuchFileException gone) {
                    continue;   // the thread ended while we looked
                }
                if (!tracer.equals(field(status, "TracerPid:"))) return false;
            }
        } catch (NoSuchFileException e) {
            throw new IOException("process " + pid + " is gone", e);
        }
        return true;
    }

    private static String field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name)) return line.substring(name.length()).trim();
        }
        return "";
    }

    /**
     * Ends strace (it detaches from every thread) and returns the calls it counted, by name in
     * {@link #CALLS} order, zero for calls not made.
     *
     * @throws IOException when strace does not finish within a minute or wrote no summary
     */
    Map<String, Long> stop() throws IOException, InterruptedException {
        strace.destroy();   // SIGTERM: strace detaches from every thread, then writes the -c summary
        if (!strace.waitFor(60, TimeUnit.SECONDS)) {
            strace.destroyForcibly();
            throw new IOException("strace did not exit within 60 s of SIGTERM");
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String call : CALLS) counts.put(call, 0L);
        List<String> lines = Files.readAllLines(summary);
        boolean total = false;
        for (String line : lines) {
            // "% time  seconds  usecs/call  calls  errors  syscall"; errors may be blank, calls is the 4th column.
            String[] f = line.trim().split("\\s+");
            if (f.length < 5) continue;
            if (counts.containsKey(f[f.length - 1])) counts.put(f[f.length - 1], Long.parseLong(f[3]));
            if (f[f.length - 1].equals("total")) total = true;
        }
        // strace writes no table at all when nothing was called; anything else without a total is a failure.
        if (!total && !lines.isEmpty()) throw new IOException("unreadable strace summary: " + lines.getFirst());
        return counts;
    }

    private String firstMessage() {
        try {
            return Files.readAllLines(messages).stream().filter(l -> !l.isBlank()).findFirst().orElse("(no message)");
        } catch (IOException e) {
            return "(no message: " + e.getMessage() + ")";
        }
    }

    private void discard() throws IOException, InterruptedException {
        strace.destroy();
        if (!strace.waitFor(10, TimeUnit.SECONDS)) strace.destroyForcibly();
        close();
    }

    /** Ends strace if still running and removes its files. */
    @Override
    public void close() throws IOException {
        if (strace.isAlive()) strace.destroy();
        try {
            Runtime.getRuntime().removeShutdownHook(onExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run; it ends strace itself
        }
        Files.deleteIfExists(summary);
        Files.deleteIfExists(messages);
    }
}
