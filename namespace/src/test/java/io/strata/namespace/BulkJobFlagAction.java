package io.strata.namespace;

import java.util.HashMap;
import java.util.Map;

/** A bulk job action for tests: marks each version with a header, idempotently; delete markers are skipped. */
final class BulkJobFlagAction implements BulkJobRunner.Action {
    static final String HEADER = "x-amz-meta-bulk";
    private final Namespace ns;

    BulkJobFlagAction(Namespace ns) {
        this.ns = ns;
    }

    @Override
    public BulkJobRunner.Outcome apply(BulkJob job, ObjectVersion v) {
        if (v.deleteMarker()) return BulkJobRunner.Outcome.SKIPPED;
        if (flagged(v)) return BulkJobRunner.Outcome.DONE;   // a page redone after a crash
        Map<String, String> headers = new HashMap<>(v.headers());
        headers.put(HEADER, "1");
        if (!ns.replaceVersion(v, v.withHeaders(headers))) throw new IllegalStateException("changed meanwhile: " + v.key());
        return BulkJobRunner.Outcome.DONE;
    }

    static boolean flagged(ObjectVersion v) {
        return "1".equals(v.headers().get(HEADER));
    }
}
