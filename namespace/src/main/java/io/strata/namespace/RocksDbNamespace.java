package io.strata.namespace;

import java.nio.file.Path;

/** The namespace on RocksDB. */
final class RocksDbNamespace {
    private RocksDbNamespace() {
    }

    static Namespace open(Path directory) {
        throw new UnsupportedOperationException("TODO(#2)");
    }
}
