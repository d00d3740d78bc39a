package io.strata.gateway;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Copies a response body while a virtual thread reads ahead: the next stripes are read from the
 * drives and verified while the current bytes go out on the socket, instead of one after the
 * other. At most {@code depth} buffers wait between the two threads, so memory per request stays
 * at {@code depth × block} bytes.
 *
 * <p>Every buffer handed to {@code out} is a fresh array written from offset 0: Helidon may keep
 * the array after {@code write} returns, and writes from a non-zero offset send extra bytes
 * (PITFALLS.md, helidon-io/helidon#11738). The first buffer is small, because Helidon copies the
 * first write into the buffer of the status line and headers (PITFALLS.md).
 *
 * <p>The reader thread never outlives {@link #copy}: on any failure the caller's thread stops it
 * and waits for it before returning, so the caller may close {@code in} afterwards. Errors of the
 * reading side reach the caller as they were thrown (IOException or unchecked).
 */
final class ReadAhead {
    private ReadAhead() {
    }

    /** Marks the end of the reader's output when it failed. */
    private record Failure(Throwable cause) {
    }

    /**
     * Copies exactly {@code length} bytes of {@code in} to {@code out}.
     *
     * @throws IOException when {@code in} ends early or either side fails
     */
    static void copy(InputStream in, OutputStream out, long length, int first, int block, int depth) throws IOException {
        BlockingQueue<Object> queue = new ArrayBlockingQueue<>(depth);
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = Thread.ofVirtual().name("strata-read-ahead").start(() -> {
            long remaining = length;
            int want = (int) Math.min(first, remaining);
            try {
                while (remaining > 0 && !stop.get()) {
                    byte[] buf = new byte[want];
                    int filled = 0;
                    while (filled < want) {
                        int n = in.read(buf, filled, want - filled);
                        if (n < 0) throw new IOException("object data ended early: " + (remaining - filled) + " bytes missing");
                        filled += n;
                    }
                    queue.put(buf);
                    remaining -= filled;
                    want = (int) Math.min(block, remaining);
                }
            } catch (InterruptedException e) {
                // stopped by the writer
            } catch (Throwable e) {
                try {
                    queue.put(new Failure(e));
                } catch (InterruptedException stopped) {
                    // the writer has gone
                }
            }
        });
        boolean done = false;
        try {
            long remaining = length;
            while (remaining > 0) {
                Object next = queue.take();
                if (next instanceof Failure f) throw rethrow(f.cause());
                byte[] buf = (byte[]) next;
                out.write(buf, 0, buf.length);
                remaining -= buf.length;
            }
            done = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted sending the body");
        } finally {
            if (!done) {
                stop.set(true);
                queue.clear();   // unblocks a reader waiting to put; it then sees stop
            }
            join(reader, queue);
        }
    }

    private static void join(Thread reader, BlockingQueue<Object> queue) {
        boolean interrupted = Thread.interrupted();
        while (true) {
            try {
                reader.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
                queue.clear();
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static IOException rethrow(Throwable cause) {
        if (cause instanceof IOException io) return io;
        if (cause instanceof RuntimeException r) throw r;
        if (cause instanceof Error e) throw e;
        return new IOException(cause);
    }
}
