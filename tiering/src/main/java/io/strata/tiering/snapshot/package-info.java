/**
 * Snapshots of a namespace into an object store or a directory, in the open repository format of
 * docs/snapshot-format.md: {@link io.strata.tiering.snapshot.SnapshotRepository} is the seam to the
 * store (local directory, any S3), {@link io.strata.tiering.snapshot.SnapshotExporter} writes a
 * snapshot from a namespace checkpoint (data objects, then content-addressed range files, then the
 * root), {@link io.strata.tiering.snapshot.SnapshotExports} makes an export durable (recorded in the
 * namespace's work queues, resumed from its last range file after a crash, aborted without a
 * trace), and {@link io.strata.tiering.snapshot.SnapshotReader} finds one from its
 * {@link io.strata.tiering.snapshot.SnapshotLocator} and checks every byte it reads.
 * {@link io.strata.tiering.snapshot.VersionData} is how an export reads a version's bytes (the
 * gateway wires {@link io.strata.tiering.snapshot.TieredVersionData}).
 */
package io.strata.tiering.snapshot;
