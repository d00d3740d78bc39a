package io.strata.tiering.snapshot;

import io.strata.tiering.snapshot.SnapshotException.Reason;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * A paged GC plan (docs/snapshot-format.md §10): the header {@code gc/<name>.json} names the
 * forgotten snapshots and how many pages of data paths and of range paths follow, in
 * {@code gc/<name>/data-NNNNN.ndjson.gz} and {@code gc/<name>/ranges-NNNNN.ndjson.gz} (one JSON
 * string a line). Pages are written first, the header last: a plan exists only once it is whole,
 * and pages without a header are a GC stopped before it deleted anything. So neither writing nor
 * replaying a plan holds more than one page of paths, whatever the repository's size.
 */
final class GcPlan {
    /** Paths a page holds unless told otherwise: ~1 MB of paths in memory, ~100 pages at 10^6 versions. */
    static final int DEFAULT_PAGE_SIZE = 10_000;
    static final String DATA_PAGE = "data-";
    static final String RANGES_PAGE = "ranges-";
    private static final String PAGE_SUFFIX = ".ndjson.gz";

    private GcPlan() {
    }

    /** The header of a paged plan. */
    record Header(String site, Instant created, List<String> forgotten, long data, int dataPages, long ranges,
                  int rangePages) {
        Header {
            forgotten = List.copyOf(forgotten);
        }

        byte[] encode() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("site", site);
            m.put("created", created.toString());
            m.put("forgotten", forgotten);
            Map<String, Object> pages = new LinkedHashMap<>();
            pages.put("data", (long) dataPages);
            pages.put("dataPaths", data);
            pages.put("ranges", (long) rangePages);
            pages.put("rangePaths", ranges);
            m.put("pages", pages);
            return Json.write(m).getBytes(StandardCharsets.UTF_8);
        }

        /** Whether {@code m} is a paged plan's header (an older gateway's plan has {@code data} instead). */
        static boolean isPaged(Map<String, Object> m) {
            return m.containsKey("pages");
        }

        static Header decode(Map<String, Object> m, List<String> forgotten) {
            try {
                Map<String, Object> p = SnapshotFormat.object(m.get("pages"), "pages");
                return new Header(SnapshotFormat.string(m, "site"), Instant.parse(SnapshotFormat.string(m, "created")),
                        forgotten, count(p, "dataPaths", Long.MAX_VALUE), (int) count(p, "data", Integer.MAX_VALUE),
                        count(p, "rangePaths", Long.MAX_VALUE), (int) count(p, "ranges", Integer.MAX_VALUE));
            } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
                throw new SnapshotException(Reason.CORRUPT, "GC plan is not valid: " + e.getMessage(), e);
            }
        }

        private static long count(Map<String, Object> m, String field, long max) {
            long v;
            try {
                if (!(m.get(field) instanceof Number n)) throw new NumberFormatException();
                v = new java.math.BigDecimal(n.toString()).longValueExact();
            } catch (NumberFormatException | ArithmeticException e) {
                v = -1;
            }
            if (v < 0 || v > max) throw new IllegalArgumentException("pages." + field + " is not a count");
            return v;
        }
    }

    /** The name of a plan's pages directory: its header's path without {@code .json}, then {@code /}. */
    static String pagesDir(String headerPath) {
        return headerPath.substring(0, headerPath.length() - ".json".length()) + "/";
    }

    static String page(String headerPath, String kind, int index) {
        return pagesDir(headerPath) + kind + String.format("%05d", index) + PAGE_SUFFIX;
    }

    /**
     * Writes paths as pages of at most {@code pageSize}, each whole before the next is started;
     * or, for a dry run, only counts them. Keeps the first {@code sample} paths for the caller's report.
     */
    static final class PageWriter implements Consumer<String> {
        private final SnapshotRepository repository;
        private final String headerPath;
        private final String kind;
        private final int pageSize;
        private final GcCandidates.Held held;
        private final boolean write;
        private final List<String> buffer = new ArrayList<>();
        private final List<String> sample = new ArrayList<>();
        private final int sampleSize;
        private long count;
        private int pages;

        PageWriter(SnapshotRepository repository, String headerPath, String kind, int pageSize, int sampleSize,
                   GcCandidates.Held held, boolean write) {
            this.repository = repository;
            this.headerPath = headerPath;
            this.kind = kind;
            this.pageSize = pageSize;
            this.sampleSize = sampleSize;
            this.held = held;
            this.write = write;
        }

        @Override
        public void accept(String path) {
            count++;
            if (sample.size() < sampleSize) sample.add(path);
            if (!write) return;
            buffer.add(path);
            held.add(1);
            if (buffer.size() == pageSize) flush();
        }

        /** Writes the last, partial page. */
        void finish() {
            if (!buffer.isEmpty()) flush();
        }

        private void flush() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
                for (String p : buffer) gz.write((Json.write(p) + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byte[] page = bytes.toByteArray();
            SnapshotGc.putBytes(repository, page(headerPath, kind, pages), page, "application/gzip");
            pages++;
            held.drop(buffer.size());
            buffer.clear();
        }

        long count() {
            return count;
        }

        int pages() {
            return pages;
        }

        List<String> sample() {
            return sample;
        }
    }

    /** @return the page's path @throws SnapshotException CORRUPT when it is absent: a whole plan has all its pages */
    static String checkPage(SnapshotRepository repository, String headerPath, String kind, int index) {
        String path = page(headerPath, kind, index);
        if (repository.size(path).isEmpty()) {
            throw new SnapshotException(Reason.CORRUPT, "GC plan " + headerPath + " lacks its page " + path);
        }
        return path;
    }

    /**
     * Hands each path of one kind of page to {@code each}, page by page, one line in memory at a
     * time. Paths are checked as a root's are: a plan never deletes outside {@code dir}.
     *
     * @throws SnapshotException CORRUPT for a missing or malformed page: a whole plan has them all
     */
    static void read(SnapshotRepository repository, String headerPath, String kind, int pages, String dir,
                     Consumer<String> each) {
        for (int i = 0; i < pages; i++) {
            String path = checkPage(repository, headerPath, kind, i);
            try (InputStream in = repository.get(path, 0, -1);
                 BufferedReader lines = new BufferedReader(new InputStreamReader(new GZIPInputStream(in), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    if (!(Json.parse(line) instanceof String p)) throw new IllegalArgumentException("a line is not a string");
                    each.accept(SnapshotFormat.relativePath(p, dir));
                }
            } catch (IOException | IllegalArgumentException e) {
                throw new SnapshotException(Reason.CORRUPT, "GC plan page " + path + " is not valid: " + e.getMessage(), e);
            }
        }
    }
}
