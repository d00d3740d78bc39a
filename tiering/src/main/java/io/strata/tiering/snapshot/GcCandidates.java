package io.strata.tiering.snapshot;

import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * GC's candidate data paths as streams of key groups, so that GC memory does not grow with the
 * repository (issue #13). Range files list a bucket's versions sorted by key (UTF-8 byte order,
 * docs/snapshot-format.md §4), and a data path belongs to one key, so the candidates of a bucket are
 * a merge of sorted streams: the forgotten snapshot's paths minus its neighbours', key by key, then
 * the union over every forgotten snapshot collected. Memory holds one key's paths per open stream.
 * Single-threaded.
 */
final class GcCandidates {
    private GcCandidates() {
    }

    /**
     * How many data paths are in memory at once (read from range files and not yet written out),
     * and the most there ever were: a test checks the bound with it, with no timing involved.
     */
    static final class Held {
        private long now;
        private long peak;

        void add(long n) {
            now += n;
            peak = Math.max(peak, now);
        }

        void drop(long n) {
            now -= n;
        }

        long peak() {
            return peak;
        }
    }

    /** Paths grouped by key, in key order. */
    interface KeyStream extends AutoCloseable {
        /** The next group's key, or null at the end. */
        String peek();

        /** The next group's paths (counted in {@link Held} until the consumer drops them). */
        Set<String> take();

        @Override
        void close();
    }

    /** Compares keys as range files sort them: by UTF-8 bytes, which is code point order. */
    static int compare(String a, String b) {
        return Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The data paths of a list of range files in key order. Range files are opened one at a time,
     * only when reached; {@code opened} is told of each. The order across files is checked too: a
     * merge over out-of-order input would miss a match and delete what a neighbour still uses.
     */
    static KeyStream ranges(SnapshotRepository repository, List<SnapshotRoot.RangeRef> refs, Path workDir, Held held,
                            Runnable opened) {
        return new KeyStream() {
            private int index;
            private RangeReader reader;
            private SnapshotEntry pending;
            private String last;

            private SnapshotEntry next() {
                while (true) {
                    if (reader != null && reader.hasNext()) return reader.next();
                    if (reader != null) reader.close();
                    reader = null;
                    if (index == refs.size()) return null;
                    opened.run();
                    reader = RangeReader.open(repository, refs.get(index++), workDir);
                }
            }

            @Override
            public String peek() {
                if (pending == null) {
                    pending = next();
                    if (pending == null) return null;
                    if (last != null && compare(pending.key(), last) < 0) {
                        throw new SnapshotException(Reason.CORRUPT, "range entries out of key order: " + pending.key()
                                + " after " + last + "; GC stops rather than compare unsorted ranges");
                    }
                    last = pending.key();
                }
                return pending.key();
            }

            @Override
            public Set<String> take() {
                String key = peek();
                Set<String> out = new LinkedHashSet<>();
                while (key != null && key.equals(peek())) {
                    // Cold-tier references have no path: the tier's objects are never GC's to delete.
                    if (pending.data().orElse(null) instanceof SnapshotEntry.InRepository in) out.add(in.path());
                    pending = null;
                }
                held.add(out.size());
                return out;
            }

            @Override
            public void close() {
                if (reader != null) reader.close();
                reader = null;
            }
        };
    }

    /** The groups of {@code from} less the paths {@code minus} has under the same key; empty groups are skipped. */
    static KeyStream difference(KeyStream from, List<KeyStream> minus, Held held) {
        return new KeyStream() {
            private String key;
            private Set<String> group;

            private void fill() {
                while (group == null && from.peek() != null) {
                    key = from.peek();
                    Set<String> s = from.take();
                    for (KeyStream m : minus) {
                        // Reading a neighbour only as far as the forgotten snapshot goes: no farther.
                        while (m.peek() != null && compare(m.peek(), key) < 0) held.drop(m.take().size());
                        if (key.equals(m.peek())) {
                            Set<String> t = m.take();
                            int before = s.size();
                            s.removeAll(t);
                            held.drop(t.size() + before - s.size());
                        }
                    }
                    if (s.isEmpty()) continue;
                    group = s;
                }
            }

            @Override
            public String peek() {
                fill();
                return group == null ? null : key;
            }

            @Override
            public Set<String> take() {
                fill();
                Set<String> out = group;
                group = null;
                return out;
            }

            @Override
            public void close() {
                from.close();
                minus.forEach(KeyStream::close);
            }
        };
    }

    /** Every group of every stream, in key order, the paths of equal keys united (each path once). */
    static KeyStream union(List<KeyStream> streams, Held held) {
        return new KeyStream() {
            @Override
            public String peek() {
                String min = null;
                for (KeyStream s : streams) {
                    String k = s.peek();
                    if (k != null && (min == null || compare(k, min) < 0)) min = k;
                }
                return min;
            }

            @Override
            public Set<String> take() {
                String key = peek();
                Set<String> out = null;
                for (KeyStream s : streams) {
                    if (key == null || !key.equals(s.peek())) continue;
                    Set<String> t = s.take();
                    if (out == null) {
                        out = t;
                        continue;
                    }
                    int before = out.size();
                    out.addAll(t);
                    held.drop(t.size() - (out.size() - before));
                }
                return out == null ? new LinkedHashSet<>() : out;
            }

            @Override
            public void close() {
                streams.forEach(KeyStream::close);
            }
        };
    }

    /** Hands every path of {@code stream} to {@code sink} in key order, dropping each group once given. */
    static void drain(KeyStream stream, Held held, Consumer<String> sink) {
        while (stream.peek() != null) {
            Set<String> group = stream.take();
            group.forEach(sink);
            held.drop(group.size());
        }
    }

    /** The ranges of {@code mine} whose hash none of {@code theirs} has, in their order. */
    static List<SnapshotRoot.RangeRef> only(List<SnapshotRoot.RangeRef> mine, List<SnapshotRoot.RangeRef> theirs) {
        Set<String> other = new java.util.HashSet<>();
        theirs.forEach(r -> other.add(r.sha256()));
        List<SnapshotRoot.RangeRef> out = new ArrayList<>();
        for (SnapshotRoot.RangeRef r : mine) if (!other.contains(r.sha256())) out.add(r);
        return out;
    }
}
