package io.strata.namespace;

import java.util.List;
import java.util.Optional;

/**
 * The {@link ChangeFeed} a {@link RocksDbNamespace} hands out: the {@link ChangeLog}'s operations,
 * each run as one call in the store's gate (so a closed namespace refuses them with UNAVAILABLE and
 * storage failures map as every other call's do). Thread-safe.
 */
final class GatedChangeFeed implements ChangeFeed {
    private final Store store;
    private final ChangeLog log;

    GatedChangeFeed(Store store) {
        this.store = store;
        this.log = store.changeLog;
    }

    @Override
    public void onAppend(Runnable listener) {
        log.onAppend(listener);
    }

    @Override
    public long head() {
        return store.call(log::head);
    }

    @Override
    public long trimmedThrough() {
        return store.call(log::trimmedThrough);
    }

    @Override
    public ChangePage changes(long afterSequence, int limit) {
        return store.call(() -> log.changes(afterSequence, limit));
    }

    @Override
    public ChangeCursor registerCursor(String name) {
        return store.call(() -> log.registerCursor(name));
    }

    @Override
    public Optional<ChangeCursor> cursor(String name) {
        return store.call(() -> log.cursor(name));
    }

    @Override
    public List<ChangeCursor> cursors() {
        return store.call(log::cursors);
    }

    @Override
    public ChangeCursor advanceCursor(String name, long sequence) {
        return store.call(() -> log.advanceCursor(name, sequence));
    }

    @Override
    public boolean removeCursor(String name) {
        return store.call(() -> log.removeCursor(name));
    }

    @Override
    public long trim() {
        return store.call(log::trim);
    }
}
