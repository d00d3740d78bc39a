package io.strata.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Copies a response body while a virtual thread reads ahead: the next stripes are read from the
 * drives and verified while the current bytes go out on the socket, instead of one after the
 * other. At most {@code depth} filled buffers wait between the two threads, and the buffers go
 * round between them, so memory per request stays at {@code (depth + 2) × block} bytes and a
 * long body allocates no more than a short one.
 *
 * <p>Every write goes to {@code out} from offset 0 (docs/traps.md, helidon-io/helidon#11738), and a
 * buffer is filled again only after the {@code write} that sent it has returned. That is safe
 * because the gateway's server writes synchronously: blocking sockets ({@code useNio(false)}) and
 * no write queue ({@code writeQueueLength(0)}, see StrataServer), so Helidon has handed the bytes
 * to the socket when {@code write} returns; it copies the first write into the buffer of the status
 * line and headers, and writes shorter than its write buffer into that buffer. An asynchronous
 * writer would keep the array, and reusing it would corrupt the body. The first buffer is small,
 * because of that first copy (docs/traps.md).
 *
 * <p>The reader thread never outlives {@link #copy}: on any failure the caller's thread stops it
 * and waits for it before returning, so the caller may close {@code in} afterwards. Errors of the
 * reading side reach the caller as they were thrown (IOException or unchecked).
 */
public final class ReadAhead {
    private ReadAhead() {
    }

    /** Handed to a reader waiting for a free buffer when the writer stops. */
    private static final byte[] WAKE_UP = new byte[0];

    /** Marks the end of the reader's output when it failed. */
    private record Failure(Throwable cause) {
    }

    /** The first {@code length} bytes of {@code buf} are the next part of the body. */
    private record Chunk(byte[] buf, int length) {
    }

    /**
     * Reads exactly {@code want} bytes of a body into the start of {@code buf}.
     *
     * @param remaining body bytes still expected, for the message when {@code in} ends early
     * @return {@code want}
     * @throws IOException when {@code in} ends before {@code want} bytes
     */
    public static int readFully(InputStream in, byte[] buf, int want, long remaining) throws IOException {
        int n = 0;
        while (n < want) {
            int k = in.read(buf, n, want - n);
            if (k < 0) throw new IOException("object data ended early: " + (remaining - n) + " bytes missing");
            n += k;
        }
        return n;
    }

    /**
     * Copies exactly {@code length} bytes of {@code in} to {@code out}.
     *
     * @throws IOException when {@code in} ends early or either side fails
     */
    public static void copy(InputStream in, OutputStream out, long length, int first, int block, int depth) throws IOException {
        BlockingQueue<Object> filled = new ArrayBlockingQueue<>(depth);
        // Sent buffers come back here; unbounded, but never holds more than the depth + 2 allocated.
        BlockingQueue<byte[]> free = new LinkedBlockingQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = Thread.ofVirtual().name("strata-read-ahead").start(() -> {
            long remaining = length;
            int allocated = 0;
            try {
                while (remaining > 0 && !stop.get()) {
                    byte[] buf;
                    if (remaining == length) {
                        buf = new byte[(int) Math.min(first, remaining)];
                    } else {
                        buf = free.poll();
                        if (buf == null && allocated < depth + 2) {
                            buf = new byte[block];
                            allocated++;
                        } else if (buf == null) {
                            buf = free.take();
                        }
                        if (stop.get()) break;
                    }
                    int n = readFully(in, buf, (int) Math.min(buf.length, remaining), remaining);
                    filled.put(new Chunk(buf, n));
                    remaining -= n;
                }
            } catch (InterruptedException e) {
                // stopped by the writer
            } catch (Throwable e) {
                try {
                    filled.put(new Failure(e));
                } catch (InterruptedException stopped) {
                    // the writer has gone
                }
            }
        });
        boolean done = false;
        try {
            long remaining = length;
            while (remaining > 0) {
                Object next = filled.take();
                if (next instanceof Failure f) throw rethrow(f.cause());
                Chunk chunk = (Chunk) next;
                out.write(chunk.buf(), 0, chunk.length());
                remaining -= chunk.length();
                if (chunk.buf().length == block) free.add(chunk.buf());
            }
            done = true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted sending the body");
        } finally {
            if (!done) {
                stop.set(true);
                filled.clear();              // unblocks a reader waiting to put; it then sees stop
                free.add(WAKE_UP);           // unblocks a reader waiting for a buffer; it then sees stop
            }
            join(reader, filled);
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
