/**
 * Strata's namespace: buckets, object versions and their metadata, listing, multipart state, the
 * durable garbage queue and the change log, behind the {@link io.strata.namespace.Namespace} seam
 * and stored in RocksDB ({@code RocksDbNamespace}). No RocksDB type appears in the public API.
 *
 * <h2>Classes and column families</h2>
 * {@code RocksDbNamespace} implements the seam as a facade: it opens the database, runs the format
 * check and the recoveries, and hands each call to the package-private class that owns the table.
 * Row keys are built by {@code Keys}; each value starts with its codec's format version byte.
 * <ul>
 *   <li>{@code Store}: the database, every column family handle, the gate every call runs in, the
 *       synced write path, {@code Store.Commit} (rows, garbage items and change entries in one
 *       batch), the striped locks and the one method taking bucket then key lock
 *       ({@code withKey}); owns the {@code meta} row {@code garbage-id-lease} (garbage ids below it
 *       may have been handed out). RocksDB's mandatory default column family is unused.</li>
 *   <li>{@code Schema}: the {@code meta} row {@code format-version} (one byte, 2) and the upgrade
 *       of format 1 (before versioning), which adds each object's row to {@code versions} as its
 *       {@code null} version in batches (rerun whole if interrupted), then records format 2.</li>
 *   <li>{@code BucketTable}: {@code buckets} (bucket name → {@code BucketCodec}, versioning state
 *       included) and {@code bucket-config} ({@code bucket 0x00 kind} → the document).</li>
 *   <li>{@code VersionTable}: {@code versions} ({@code bucket 0x00 esc(key) ~order} →
 *       {@code ObjectVersionCodec}, every version and delete marker, newest first within a key),
 *       {@code objects} ({@code bucket 0x00 key} → the same record, the current version of each key
 *       only, absent when that is a delete marker: the index plain listings seek in) and
 *       {@code null-versions} ({@code bucket 0x00 key} → the order of the key's {@code null}
 *       version). Invariant: a key's {@code objects} row exists exactly when its newest
 *       {@code versions} row is not a delete marker, and then holds the same record. Its one
 *       compare-and-set serves replaceVersion, relocateVersion, deleteObjectIf and
 *       deleteVersionIf.</li>
 *   <li>{@code ListingTable}: reads {@code objects}, {@code versions} and {@code null-versions} for
 *       ListObjects and ListObjectVersions pages (with {@code Listing}); writes nothing.</li>
 *   <li>{@code UploadTable}: {@code uploads} ({@code bucket 0x00 esc(key) esc(uploadId)} →
 *       {@code MultipartUploadCodec}), {@code upload-order} ({@code bucket 0x00 esc(key) initiated
 *       esc(uploadId)} → the same record, ListMultipartUploads order) and {@code parts} (the
 *       {@code uploads} row key + part number, 4 bytes → {@code PartCodec}), and
 *       {@code completed-uploads} (0x01 + the {@code uploads} row key → {@code CompletedUploadCodec},
 *       what a completed upload became, for a day; 0x02 + completion time in ms, 8 bytes + the
 *       {@code uploads} row key → empty, the index that prunes them). The family is created when an
 *       older database is opened; nothing else of the format changes.</li>
 *   <li>{@code GarbageTable}: {@code garbage} (id, 8 bytes big-endian → {@code SegmentCodec}; FIFO
 *       by id) and, through {@code GarbageMarks}, {@code garbage-marks} (mark name →
 *       {@code GarbageMarkCodec}).</li>
 *   <li>{@code WorkTable}: {@code work} (id, 8 bytes big-endian → {@code WorkItemCodec}),
 *       {@code work-due} ({@code kind 0x00 notBefore-millis id} → empty), {@code work-order}
 *       ({@code kind 0x00 id} → empty, a queue in id order; created and filled once when an older
 *       database is opened, then the {@code meta} row {@code work-order-built} is written), the
 *       {@code meta} row {@code work-id-lease}, and {@code jobs}, the untyped queue of earlier
 *       versions, emptied at open (kept so RocksDB opens those databases).</li>
 *   <li>{@code BulkJobTable}: {@code bulk-jobs} (id, 8 bytes big-endian, from the work id lease →
 *       {@code BulkJobCodec}).</li>
 *   <li>{@code ChangeLog}: {@code changes} (sequence, 8 bytes big-endian → {@code ChangeEntryCodec}),
 *       {@code change-cursors} (consumer name → position) and the {@code meta} row
 *       {@code change-trimmed-through}; {@code GatedChangeFeed} serves it as the
 *       {@link io.strata.namespace.ChangeFeed}.</li>
 * </ul>
 *
 * <h2>Record formats convert on read</h2>
 * A codec writes only its newest format and reads every older one. Object versions (format 4) and
 * multipart uploads (format 2) keep tags, canned ACL and checksum type as typed fields
 * ({@link io.strata.namespace.ObjectAttributes}); older records hid them in their headers map as
 * the pseudo-headers {@code x-amz-tagging}, {@code x-amz-acl} and {@code x-amz-checksum-type}, and
 * decoding moves them out. No migration pass runs over the database: an old record is converted
 * each time it is read and written in the new format when it is next written.
 *
 * <h2>Compare-and-delete</h2>
 * Background deletes act on a record read earlier, so they must not delete a newer one: lifecycle
 * expiration uses {@link io.strata.namespace.Namespace#deleteObjectIf} and
 * {@link io.strata.namespace.Namespace#deleteVersionIf}, which check that the entry is still exactly
 * that record (and, for a version, still noncurrent or still the key's only entry) under the key's
 * lock, in the same synced write as the delete. A check and a delete made as two calls lost an
 * overwrite of the {@code null} version that landed between them.
 *
 * <h2>Change log</h2>
 * {@link io.strata.namespace.ChangeFeed} ({@link io.strata.namespace.Namespace#changeFeed()}) is the
 * ground for replication and snapshots: each mutation a client can observe (version put, delete
 * marker, version deleted, tags or ACL rewritten, data relocated between tiers, bucket created,
 * deleted, versioning or a configuration document changed; see
 * {@link io.strata.namespace.ChangeEntry}) appends an entry in its own RocksDB write batch, so the
 * entry and the mutation are durable together or not at all. Multipart uploads in progress, the
 * garbage queue and jobs are not logged. Sequences are handed out while the mutation holds its
 * locks, so they follow commit order, and readers see a sequence only after every smaller one was
 * written or abandoned. Named cursors are durable; the log is trimmed below the slowest cursor
 * (entirely when there is none) and bounded by {@link io.strata.namespace.ChangeLogLimits} (256 MiB,
 * 7 days by default). A consumer the bounds overtook gets
 * {@link io.strata.namespace.ChangeFeedException.Reason#TRIMMED} and must resynchronise; the trim
 * is logged at WARN naming the cursor. Trims run on a background thread after every 4,096 entries
 * (or when the byte bound is passed) and on {@link io.strata.namespace.ChangeFeed#trim()}, so the age
 * bound is applied at the next trim, not to the second. Cost: one more row (about 100 bytes plus
 * the key and ETag) in each commit's batch.
 *
 * <h2>Garbage marks</h2>
 * A reader of the namespace's data as of a point in time (a snapshot export, a replication worker
 * behind its cursor) takes a named, durable {@link io.strata.namespace.GarbageMark} with
 * {@link io.strata.namespace.Namespace#markGarbage} before it reads the state. Garbage ids increase
 * in commit order and the mark records the first id not yet committed when it was taken, so every
 * item at or above it belongs to a record that died after the mark; the garbage queue hands out only
 * the items below the oldest open mark, until it is released. The cleaner's API does not change: it
 * simply gets fewer items. Taking a mark and a cleaner's poll are serialised by one lock, so a poll
 * never hands out an item committed after a mark it did not see. An abandoned mark makes the queue
 * and the drives grow without bound: marks carry the time they were taken.
 *
 * <h2>Checkpoints</h2>
 * {@link io.strata.namespace.Namespace#checkpoint} places a garbage mark, then writes a RocksDB
 * checkpoint (memtables flushed, SST files hard-linked) into a directory of its own: a durable cut
 * of every bucket at once, which survives restarts, unlike a RocksDB snapshot, and does not pin
 * obsolete keys in the live database while a long export reads it. Just before the checkpoint the
 * {@code meta} rows {@code checkpoint-sequence} (the change log's head, every change up to which is
 * written) and {@code checkpoint-taken-at} (epoch nanoseconds) are written, and just after it they
 * are deleted again, so only the checkpoint carries them. {@code CheckpointView} opens the directory
 * with RocksDB's read-only mode and serves it through the same {@code BucketTable} and
 * {@code ListingTable} as the live namespace ({@link io.strata.namespace.NamespaceView}).
 *
 * <h2>Work queues</h2>
 * Durable work is typed: each {@link io.strata.namespace.WorkItem} has a kind (its queue, named by
 * its owner, e.g. {@code tier.to-cold}), a time it is due, the failed attempts so far and the last
 * error. A retry is a compare-and-set on the whole item, so two workers holding the same item
 * cannot both record an attempt. Ids are unique across kinds and never reused: they come from a
 * lease persisted in {@code meta} before any id below it is handed out, as garbage ids do. (The
 * untyped queue this replaces recovered its next id from its highest row, so after its newest jobs
 * were removed a restart handed their ids out again, and a stale id could finish someone else's
 * job.) Opening a namespace that still has untyped jobs moves them to kind
 * {@link io.strata.namespace.WorkItem#UNTYPED}, ids kept.
 *
 * <h2>Bulk jobs</h2>
 * A {@link io.strata.namespace.BulkJob} is "do this action to every version under bucket/prefix":
 * its ListObjectVersions place, its counters (done, skipped, failed, bytes), the expected total for
 * progress, and its state (running, done, cancelled, failed) live in one record.
 * {@link io.strata.namespace.BulkJobRunner} applies the action to a page of versions, then records
 * the page's place and counters together with a compare-and-set on the record; a crash redoes only
 * the page in flight (the action is idempotent) and counts it once, so a job resumed after
 * {@code kill -9} ends with exact counters. A cancel makes the runner's next record fail, and it
 * stops there. Job ids come from the work queues' lease: never reused.
 */
package io.strata.namespace;
