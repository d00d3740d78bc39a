package io.strata.tiering.snapshot;

/** Export and read back through a local-directory repository. */
class LocalSnapshotExportTest extends SnapshotExportContractTest {
    @Override
    SnapshotRepository createRepository() {
        return LocalDirectoryRepository.create(dir.resolve("repo"));
    }
}
